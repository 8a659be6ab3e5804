/**
 * The first import of main.ts: tracing, when configured, is started before anything else is
 * loaded. The OTEL_* variables are the SDK's own; config/ only says whether to start it.
 */
import { tracingSettings } from '../config/tracing.config';
import { startTracing } from './tracing';

startTracing(tracingSettings(process.env));
