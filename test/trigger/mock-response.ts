/**
 * The Express response n8n hands the Smartcar Trigger (`this.getResponseObject()`), mocked as n8n's own node tests
 * mock their context: the calls the trigger makes (status/json, set/type/send, redirect) are recorded, and Node's
 * finish/close events are real, so a spec decides when and how n8n answers a delivery the trigger did not answer.
 */
import { EventEmitter } from 'node:events';

export class MockResponse extends EventEmitter {
	statusCode = 200;
	/** What json() was given. */
	body: unknown;
	/** What send() was given (the Connect pages). */
	text = '';
	/** Headers set by the trigger, lower-case names. */
	headers: Record<string, string> = {};
	writableFinished = false;
	/** Node sets it once the connection is gone; a 'close' listener added after that never fires. */
	destroyed = false;

	status(code: number): this {
		this.statusCode = code;
		return this;
	}

	set(fields: Record<string, string>): this {
		for (const [name, value] of Object.entries(fields)) this.headers[name.toLowerCase()] = value;
		return this;
	}

	type(type: string): this {
		this.headers['content-type'] = type === 'html' ? 'text/html; charset=utf-8' : type;
		return this;
	}

	json(body: unknown): this {
		this.body = body;
		this.finish();
		return this;
	}

	send(text: string): this {
		this.text = text;
		this.finish();
		return this;
	}

	redirect(status: number, location: string): void {
		this.statusCode = status;
		this.headers.location = location;
		this.finish();
	}

	/** The answer went out completely (n8n wrote it, or the trigger did). */
	finish(status?: number): void {
		if (status !== undefined) this.statusCode = status;
		if (this.writableFinished) return;
		this.writableFinished = true;
		this.emit('finish');
		this.emit('close');
	}

	/** The connection closed before an answer went out (e.g. Smartcar gave up waiting). */
	abort(): void {
		this.destroyed = true;
		this.emit('close');
	}
}
