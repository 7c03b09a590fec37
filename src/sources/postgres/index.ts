export { PostgresSource, APPLICATION_NAME, summariseDatabases, pgSecrets, type PostgresSourceOptions, type PgConfigProvider } from './source.js';
export { pgTarget, redact, stripUrlCredentials, urlSecrets } from './redact.js';
export { describePgError } from './errors.js';
export * from './types.js';
