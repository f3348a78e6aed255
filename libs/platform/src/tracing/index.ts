export { shutdownTracing } from './register';
export { EVENT_TRACE_HEADERS, eventTraceHeaders, restoreEventTraceContext } from './trace-context';
