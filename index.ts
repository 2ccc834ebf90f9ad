export { SmartcarApi } from './credentials/SmartcarApi.credentials';
export { Smartcar } from './nodes/Smartcar/Smartcar.node';
export { SmartcarTrigger } from './nodes/SmartcarTrigger/SmartcarTrigger.node';
