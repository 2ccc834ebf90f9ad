/**
 * Fault injection: rules that answer the next matching requests instead of the simulator (a Smartcar error, a
 * redirect, …), or misbehave (`drop` the connection after reading the request, `trickle` a body that never ends).
 */
import type http from 'http';

import type { Reply, RequestContext } from './http-utils';

const MAX_FAULT_RULES = 100;

export interface FaultRule {
	method?: string;
	/** Exact pathname, or a pattern tested against the pathname. */
	path: string | RegExp;
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
	/** How many matching requests get this answer (default 1). */
	times?: number;
	/**
	 * Instead of answering: `drop` reads the whole request, then closes the connection without a response (the
	 * client sees a reset after sending: it cannot know whether the request ran); `trickle` sends the status line
	 * and then one byte of body every `trickleIntervalMs` (default 200) and never finishes (an idle timeout never
	 * fires; only a total deadline ends the request). Both are recorded in stats with status 0.
	 */
	mode?: 'drop' | 'trickle';
	trickleIntervalMs?: number;
	/**
	 * Only requests carrying a token the simulator accepts get this answer; others get the usual 401. Smartcar
	 * authenticates a request before the automaker sees it, so a 5xx of the automaker comes only after that.
	 */
	authenticated?: boolean;
}

export interface ActiveFault {
	method?: string;
	path: string | RegExp;
	reply: Reply;
	remaining: number;
	mode?: 'drop' | 'trickle';
	trickleIntervalMs: number;
	authenticated: boolean;
}

function toActiveFault(rule: FaultRule): ActiveFault {
	const times = rule.times ?? 1;
	if (!(times >= 1)) throw new Error('failNext: times must be at least 1');
	const path = typeof rule.path === 'string' ? rule.path : new RegExp(rule.path.source, rule.path.flags.replace(/[gy]/g, ''));
	return {
		method: rule.method?.toUpperCase(),
		path,
		reply: { status: rule.status, body: rule.body, headers: { ...(rule.headers ?? {}) } },
		remaining: times,
		mode: rule.mode,
		trickleIntervalMs: rule.trickleIntervalMs ?? 200,
		authenticated: rule.authenticated === true,
	};
}

/** The pending fault rules of one simulator, and the trickling answers it has not finished. */
export class Faults {
	private rules: ActiveFault[] = [];
	private readonly trickles = new Set<http.ServerResponse>();

	add(rule: FaultRule): void {
		if (this.rules.length >= MAX_FAULT_RULES) throw new Error(`At most ${MAX_FAULT_RULES} pending fault rules`);
		this.rules.push(toActiveFault(rule));
	}

	clear(): void {
		this.rules = [];
	}

	/** The first rule matching the request, counted as used once; `authenticated`: whether its token is accepted. */
	take(context: RequestContext, authenticated: boolean): ActiveFault | undefined {
		const fault = this.rules.find(
			(rule) =>
				(rule.method === undefined || rule.method === context.method) &&
				(typeof rule.path === 'string' ? rule.path === context.path : rule.path.test(context.path)) &&
				(!rule.authenticated || authenticated),
		);
		if (!fault) return undefined;
		fault.remaining -= 1;
		if (fault.remaining <= 0) this.rules = this.rules.filter((rule) => rule !== fault);
		return fault;
	}

	/** A `drop` or `trickle` fault: no proper answer at all (`closing` tells a trickle to stop). */
	misbehave(fault: ActiveFault, response: http.ServerResponse, closing: () => boolean): void {
		if (fault.mode === 'drop') {
			response.socket?.destroy();
			return;
		}
		response.writeHead(fault.reply.status, { 'content-type': 'application/json' });
		response.write('{');
		const timer = setInterval(() => {
			if (closing() || response.destroyed) {
				clearInterval(timer);
				response.destroy();
				return;
			}
			response.write(' ');
		}, fault.trickleIntervalMs);
		response.on('close', () => clearInterval(timer));
		this.trickles.add(response);
		response.on('close', () => this.trickles.delete(response));
	}

	/** Ends every trickling answer (the simulator is closing). */
	destroyAll(): void {
		for (const response of this.trickles) response.destroy();
	}
}
