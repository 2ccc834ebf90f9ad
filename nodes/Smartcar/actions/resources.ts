import type { SmartcarResource } from './operation.type';
import { command } from './command';
import { connect } from './connect';
import { connection } from './connection';
import { signal } from './signal';
import { subscription } from './subscription';
import { user } from './user';
import { vehicle } from './vehicle';
import { webhook } from './webhook';

/** Resource value (stored in workflows) → its fields and operations. */
export const resources: Record<string, SmartcarResource> = { command, connect, connection, signal, subscription, user, vehicle, webhook };
