/** A checker shared by the action-node and trigger specs: is an output value plain JSON data? */
const UNSAFE_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * Everything wrong, prototype-wise, in an output value: an object or array whose prototype is not the plain one, an
 * own key `__proto__`/`constructor`/`prototype`, or `marker` reachable on any object (own or inherited). Walks own
 * properties iteratively; an empty list means the value is plain JSON data.
 */
export function prototypeProblems(root: unknown, marker = 'polluted'): string[] {
	const problems: string[] = [];
	const pending: Array<[unknown, string]> = [[root, '$']];
	for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
		const [value, path] = next;
		if (value === null || typeof value !== 'object') continue;
		const plain = Array.isArray(value) ? Array.prototype : Object.prototype;
		if (Object.getPrototypeOf(value) !== plain) problems.push(`${path} has another prototype`);
		if (marker in value) problems.push(`${path}.${marker} is reachable`);
		for (const key of Object.getOwnPropertyNames(value)) {
			if (UNSAFE_KEYS.includes(key)) problems.push(`${path} has an own "${key}"`);
			if (Array.isArray(value) && key === 'length') continue;
			pending.push([(value as Record<string, unknown>)[key], `${path}.${key}`]);
		}
	}
	return problems;
}
