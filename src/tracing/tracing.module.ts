import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { stopTracing } from './tracing';

/** After the application has drained (its last spans have ended), the queued spans are flushed. */
@Injectable()
export class TracingShutdown implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return stopTracing();
  }
}

/** The tracer itself is started before the application (start.ts); this module only stops it. */
@Module({ providers: [TracingShutdown] })
export class TracingModule {}
