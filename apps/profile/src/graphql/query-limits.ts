import type { ApolloServerPlugin } from '@apollo/server';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getNamedType,
  getOperationAST,
  GraphQLError,
  type GraphQLNamedType,
  type GraphQLSchema,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  type SelectionSetNode,
  TypeMetaFieldDef,
} from 'graphql';
import { type ComplexityEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../pagination/page';

/** How much one operation may ask for. */
export interface QueryLimits {
  /** Deepest field nesting (`{ me { friends { edges { node … } } } }` is 4 deep at `node`). */
  maxDepth: number;
  /** Aliased fields in the whole operation (fragments counted where they are spread). */
  maxAliases: number;
  /**
   * Estimated cost: 1 per field, list fields multiplied by their `first`, and the lists of
   * `__schema` (`types`, `directives`) by how many the schema has.
   */
  maxComplexity: number;
  /** Largest `first` of any field. */
  maxPageSize: number;
}

/**
 * Room for what clients really ask: a search page of 50 users with 20 friends each is
 * about 4,500; friends of friends of friends with 100 each would be over a million.
 */
export const QUERY_LIMITS: QueryLimits = {
  maxDepth: 10,
  maxAliases: 50,
  maxComplexity: 10_000,
  maxPageSize: MAX_PAGE_SIZE,
};

/** The `extensions.code` of each rejection, stable for clients. */
export const QueryLimitCodes = {
  TOO_DEEP: 'QUERY_TOO_DEEP',
  TOO_MANY_ALIASES: 'QUERY_TOO_MANY_ALIASES',
  TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  PAGE_TOO_LARGE: 'QUERY_PAGE_TOO_LARGE',
} as const;

/** An operation refused before execution; carries its code, the limit and what was asked. */
export class QueryLimitError extends GraphQLError {
  constructor(message: string, code: string, limit: number, actual: number) {
    super(message, { extensions: { code, limit, actual, http: { status: 400 } } });
  }
}

/**
 * Fields walked before giving up: fragments spread inside fragments can make a small
 * document expand exponentially, and the walk itself must stay cheap.
 */
const MAX_FIELDS_WALKED = 20_000;

/**
 * Checks one operation against `limits` without running it. Returns the first limit
 * broken, or undefined. Runs after GraphQL validation (so fragments exist and do not
 * cycle) and before any resolver.
 */
export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  limits: QueryLimits = QUERY_LIMITS,
): QueryLimitError | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined; // validation reports it
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }

  let aliases = 0;
  let walked = 0;
  let deepest = 0;
  // Every field counts, introspection ones too: one `__schema` returns the whole schema,
  // and aliases multiply it like any other field.
  const walk = (
    selectionSet: SelectionSetNode,
    depth: number,
    parent: GraphQLNamedType | undefined,
  ): void => {
    for (const selection of selectionSet.selections) {
      if (walked > MAX_FIELDS_WALKED) return;
      if (selection.kind === Kind.FIELD) {
        walked += 1;
        if (selection.alias) aliases += 1;
        // `ofType` unwraps one level of a type reference (`[Profile!]!` is three) and
        // answers null below the schema's deepest one, so it neither fans out nor
        // recurses; the query IDEs and code generators send nests it nine times deep.
        const level =
          parent?.name === '__Type' && selection.name.value === 'ofType' ? depth : depth + 1;
        deepest = Math.max(deepest, level);
        if (selection.selectionSet) {
          walk(selection.selectionSet, level, fieldType(schema, parent, selection.name.value));
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition?.name.value;
        walk(selection.selectionSet, depth, condition ? schema.getType(condition) : parent);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment) {
          walk(fragment.selectionSet, depth, schema.getType(fragment.typeCondition.name.value));
        }
      }
    }
  };
  walk(operation.selectionSet, 0, schema.getRootType(operation.operation) ?? undefined);

  if (deepest > limits.maxDepth) {
    return new QueryLimitError(
      `Query is ${deepest} levels deep; at most ${limits.maxDepth} are allowed`,
      QueryLimitCodes.TOO_DEEP,
      limits.maxDepth,
      deepest,
    );
  }
  if (aliases > limits.maxAliases) {
    return new QueryLimitError(
      `Query uses ${aliases} aliases; at most ${limits.maxAliases} are allowed`,
      QueryLimitCodes.TOO_MANY_ALIASES,
      limits.maxAliases,
      aliases,
    );
  }
  if (walked > MAX_FIELDS_WALKED) {
    return new QueryLimitError(
      `Query selects more than ${MAX_FIELDS_WALKED} fields`,
      QueryLimitCodes.TOO_COMPLEX,
      limits.maxComplexity,
      walked,
    );
  }

  let largestPage = 0;
  /** Fields with `first` are lists: they cost their page size times their selection. */
  const pageEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
    if (!field.args.some((arg) => arg.name === 'first')) return undefined;
    const first = typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE;
    largestPage = Math.max(largestPage, first);
    return 1 + Math.max(first, 0) * Math.max(childComplexity, 1);
  };
  /**
   * One `__schema` selection lists the whole schema: its lists cost their real length, so
   * aliased copies of a schema dump add up like aliased pages of users do.
   */
  const schemaListEstimator: ComplexityEstimator = ({ type, field, childComplexity }) => {
    if (type.name !== '__Schema') return undefined;
    const length =
      field.name === 'types'
        ? Object.keys(schema.getTypeMap()).length
        : field.name === 'directives'
          ? schema.getDirectives().length
          : undefined;
    return length === undefined ? undefined : 1 + length * Math.max(childComplexity, 1);
  };
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      query: document,
      operationName: operationName ?? undefined,
      variables,
      estimators: [pageEstimator, schemaListEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (error) {
    // Variables that do not fit their types: execution refuses them as BAD_USER_INPUT
    // before any resolver runs, so there is nothing to estimate.
    if (error instanceof GraphQLError) return undefined;
    throw error;
  }

  if (largestPage > limits.maxPageSize) {
    return new QueryLimitError(
      `first may be at most ${limits.maxPageSize}`,
      QueryLimitCodes.PAGE_TOO_LARGE,
      limits.maxPageSize,
      largestPage,
    );
  }
  if (complexity > limits.maxComplexity) {
    return new QueryLimitError(
      `Query cost ${complexity} exceeds the limit of ${limits.maxComplexity}`,
      QueryLimitCodes.TOO_COMPLEX,
      limits.maxComplexity,
      complexity,
    );
  }
  return undefined;
}

/** The type a field of `parent` selects into (introspection's meta fields included). */
function fieldType(
  schema: GraphQLSchema,
  parent: GraphQLNamedType | undefined,
  name: string,
): GraphQLNamedType | undefined {
  if (name === SchemaMetaFieldDef.name) return getNamedType(SchemaMetaFieldDef.type);
  if (name === TypeMetaFieldDef.name) return getNamedType(TypeMetaFieldDef.type);
  if (!isObjectType(parent) && !isInterfaceType(parent)) return undefined;
  const field = parent.getFields()[name];
  return field ? getNamedType(field.type) : undefined;
}

/**
 * Applies {@link checkQueryLimits} to every HTTP operation once Apollo has parsed and
 * validated it, before any resolver runs; `onSchema` hands the schema to the WebSocket
 * path, which Apollo does not serve.
 */
export function queryLimitsPlugin(
  limits: QueryLimits = QUERY_LIMITS,
  onSchema?: (schema: GraphQLSchema) => void,
): ApolloServerPlugin {
  return {
    serverWillStart({ schema }) {
      onSchema?.(schema);
      return Promise.resolve();
    },
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ request, document, schema }) {
          const error = checkQueryLimits(
            schema,
            document,
            request.operationName,
            request.variables,
            limits,
          );
          if (error) throw error;
          return Promise.resolve();
        },
      });
    },
  };
}
