export { RedisSource, summariseInstances, type RedisSourceOptions } from './source.js';
export { parseRedisUrl, type RedisEndpoint, type RedisMode } from './url.js';
export { parseInfo, nodeFromInfo } from './info.js';
export { describeRedisError } from './errors.js';
export * from './types.js';
