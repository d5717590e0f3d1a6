// The process logger: JSON lines (one object per line, for a log shipper), or lines for people on a
// terminal (pino-pretty). Lines about a request or an event name its trace id themselves (while tracing).
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

type Env = Record<string, string | undefined>;

export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT (json | pretty); unset: pretty on an interactive terminal, JSON anywhere else. */
export function logFormat(env: Env = process.env, isTty = Boolean(process.stdout.isTTY)): LogFormat {
  const asked = env.LOG_FORMAT;
  if (asked === undefined || asked === '') return isTty ? 'pretty' : 'json';
  if (asked !== 'json' && asked !== 'pretty') throw new Error(`LOG_FORMAT must be json or pretty, not ${JSON.stringify(asked)}`);
  return asked;
}

export interface ProcessLoggerOptions {
  level?: string;
  /** Fields on every line (service, pid, replica). */
  base?: Record<string, unknown>;
  format?: LogFormat;
  /** Where lines go (default stdout); a test's stream captures them. */
  destination?: DestinationStream;
}

export function createLogger(options: ProcessLoggerOptions = {}): Logger {
  const opts: LoggerOptions = { level: options.level ?? 'info', ...(options.base ? { base: options.base } : {}) };
  if ((options.format ?? 'json') === 'pretty') {
    return pino(
      opts,
      pretty({
        colorize: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
        destination: options.destination ?? 1,
        sync: true,
      }),
    );
  }
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/**
 * The logger of one service: its lines name it once. A logger that already names this service (a
 * process of one service has it in its base) is used as it is, not given the key a second time.
 */
export function serviceLogger(log: Logger, service: string): Logger {
  return log.bindings().service === service ? log : log.child({ service });
}
