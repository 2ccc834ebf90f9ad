/**
 * Progress lines for the real-n8n harness. Everything the harness prints goes through here, to stderr, so it
 * shows up live under jest (console.log would be buffered and decorated with stack traces).
 */

const startedAt = Date.now();

export interface ProgressLogger {
	info(message: string): void;
	warn(message: string): void;
	/** A child logger whose lines carry `scope/child`. */
	child(child: string): ProgressLogger;
}

function elapsed(): string {
	return `${((Date.now() - startedAt) / 1000).toFixed(1)}s`;
}

function write(level: 'info' | 'warn', scope: string, message: string): void {
	if (process.env.N8N_SMARTCAR_E2E_QUIET === '1' && level === 'info') return;
	const tag = level === 'warn' ? ' WARN' : '';
	process.stderr.write(`[e2e +${elapsed()}]${tag} ${scope}: ${message}\n`);
}

export function createLogger(scope: string): ProgressLogger {
	return {
		info: (message) => write('info', scope, message),
		warn: (message) => write('warn', scope, message),
		child: (child) => createLogger(`${scope}/${child}`),
	};
}

/** Formats a duration in milliseconds as seconds with one decimal, e.g. `12.3s`. */
export function seconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)}s`;
}
