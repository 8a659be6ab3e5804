// rate-limiter-flexible's index loads every backend it has (Mongo, MySQL, DynamoDB, Prisma…),
// about 7 MiB of a replica's idle memory; the service takes the files it uses. Their
// types are the package's own.
declare module 'rate-limiter-flexible/lib/RateLimiterRedis' {
  import { RateLimiterRedis } from 'rate-limiter-flexible';
  export = RateLimiterRedis;
}
declare module 'rate-limiter-flexible/lib/RateLimiterRes' {
  import { RateLimiterRes } from 'rate-limiter-flexible';
  export = RateLimiterRes;
}
declare module 'rate-limiter-flexible/lib/RateLimiterStoreAbstract' {
  import { RateLimiterStoreAbstract } from 'rate-limiter-flexible';
  export = RateLimiterStoreAbstract;
}
