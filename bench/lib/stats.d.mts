// Types of stats.mjs for TypeScript callers (its unit spec); the JSDoc there is the source.

export interface RoundPair {
  product: Record<string, number>;
  baseline: Record<string, number>;
  /** Further reference sides a case declares (`relay`, `jit`, …). */
  [side: string]: Record<string, number>;
}

export interface MetricSummary {
  metric: string;
  product: number;
  baseline: number;
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  ratios: number[];
}

export interface Target {
  metric: string;
  ratio?: { min?: number; max?: number };
  value?: { min?: number; max?: number };
  maxDelta?: number;
  per?: string;
  against?: string;
}

export interface TargetResult {
  metric: string;
  target: string;
  value: number;
  min?: number;
  max?: number;
  pass: boolean;
}

export interface Check {
  metric: string;
  equals?: number;
  max?: number;
  min?: number;
}

export function percentile(values: readonly number[], p: number): number;
export function median(values: readonly number[]): number;
export function ratio(product: number | undefined, baseline: number | undefined): number;
export function summarizeRounds(rounds: readonly RoundPair[], against?: string): MetricSummary[];
export function evaluateTarget(target: Target, rounds: readonly RoundPair[]): TargetResult;
export function evaluateCheck(
  check: Check,
  rounds: readonly RoundPair[],
): { metric: string; target: string; values: number[]; pass: boolean };
export const SATURATED_CORE_PCT: number;
export const SATURATED_MACHINE_PCT: number;
export function loadGeneratorSaturated(usage: { maxCorePct: number; machinePct: number }): boolean;
