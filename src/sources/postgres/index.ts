export { PostgresSource, APPLICATION_NAME, summariseDatabases, type PostgresSourceOptions, type PgConfigProvider } from './source.js';
export { pgSecrets } from './redact.js';
export { pgTarget, redact, stripUrlCredentials, urlSecrets } from './redact.js';
export { describePgError } from './errors.js';
export * from './types.js';
