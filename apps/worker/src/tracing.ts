import { createHash } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer, trace, TraceFlags } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, RandomIdGenerator } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { ClaimedTask } from '@yieldflow/store';
import type { Executed, Held, StepTrace } from './executor';
import type { IoTracing } from './effect-performer';

/** A task's trace id: derived from its id, so every step of a task, on any worker, is in one trace. */
export function traceIdOf(taskId: string): string {
  return createHash('sha256').update(taskId).digest('hex').slice(0, 32);
}

const OUTCOMES: Record<string, string> = { s: 'suspended', c: 'completed', f: 'faulted' };

/**
 * OpenTelemetry traces of a worker, exported over OTLP/HTTP (JSON) to `<endpoint>/v1/traces`: a span per
 * step (`step <name>`, from the resume to the next yield) and per IO call (`<kind> <target>`, a child of
 * the step that yielded it), all of one task in the trace `traceIdOf(task id)`. An http call carries its
 * span in a W3C `traceparent` header. The provider is this worker's own (not registered globally).
 */
export class Tracing implements IoTracing {
  private readonly provider: NodeTracerProvider;
  private readonly tracer: Tracer;
  /** The trace id the next root span takes (set just before it is started). */
  private nextTraceId: string | undefined;

  constructor(endpoint: string, serviceName = 'yieldflow-worker') {
    const random = new RandomIdGenerator();
    this.provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
      idGenerator: {
        generateTraceId: () => {
          const id = this.nextTraceId ?? random.generateTraceId();
          this.nextTraceId = undefined;
          return id;
        },
        generateSpanId: () => random.generateSpanId(),
      },
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }))],
    });
    this.tracer = this.provider.getTracer('yieldflow-worker');
  }

  /** A step ran from `startedAt` (performance.now()) until now: its span, and its context for the IO it holds. */
  step(task: ClaimedTask, res: Executed, startedAt: number): void {
    this.nextTraceId = traceIdOf(task.id);
    const span = this.tracer.startSpan(
      `step ${task.name}`,
      {
        root: true,
        startTime: startedAt,
        attributes: {
          'yieldflow.task.id': task.id,
          'yieldflow.task.step': task.seq,
          'yieldflow.namespace': task.namespace,
          'yieldflow.task.kind': task.kind,
          'yieldflow.task.name': task.name,
          'yieldflow.step.outcome': OUTCOMES[res.op.o] ?? res.op.o,
          ...(res.op.wk ? { 'yieldflow.step.yielded': res.op.wk } : {}),
        },
      },
      ROOT_CONTEXT,
    );
    if (res.op.o === 'f') span.setStatus({ code: SpanStatusCode.ERROR, message: faultTitle(res.op.err) });
    span.end();
    if (res.held) {
      const { traceId, spanId } = span.spanContext();
      res.held.trace = { traceId, spanId } satisfies StepTrace;
    }
  }

  async io(held: Held, call: (traceparent: string) => Promise<void>): Promise<void> {
    const { task, effect } = held;
    let parent = ROOT_CONTEXT;
    if (held.trace) {
      parent = trace.setSpanContext(ROOT_CONTEXT, { ...held.trace, traceFlags: TraceFlags.SAMPLED, isRemote: false });
    } else {
      this.nextTraceId = traceIdOf(task.id); // performed after a take-over: no step span here
    }
    const target =
      effect.kind === 'http'
        ? `${effect.request.method.toUpperCase()} ${hostOf(effect.request.url)}`
        : effect.kind === 'activity'
          ? effect.name
          : effect.kind === 'job'
            ? effect.queue
            : '';
    const span = this.tracer.startSpan(
      target ? `${effect.kind} ${target}` : effect.kind,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'yieldflow.task.id': task.id,
          'yieldflow.task.step': held.seq,
          'yieldflow.namespace': task.namespace,
          ...(effect.kind === 'http'
            ? {
                'http.request.method': effect.request.method.toUpperCase(),
                'server.address': hostOf(effect.request.url),
              }
            : {}),
        },
      },
      parent,
    );
    const { traceId, spanId } = span.spanContext();
    try {
      await call(`00-${traceId}-${spanId}-01`);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  }

  /** Export what is buffered and stop. */
  async close(): Promise<void> {
    await this.provider.shutdown().catch(() => undefined);
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid-url';
  }
}

function faultTitle(err: string | undefined): string {
  try {
    const e = JSON.parse(err ?? '{}') as { title?: string; detail?: string };
    return String(e.detail ?? e.title ?? 'faulted').slice(0, 300);
  } catch {
    return 'faulted';
  }
}
