import { imageHandlers } from './image';
import { modelHandlers } from './models';
import { textHandlers } from './text';
import type { HandlerTable } from './types';

/**
 * Every method the process serves. Each module under handlers/ owns a group of
 * methods; a method declared in the protocol without a handler fails type-checking here.
 */
export const handlers: HandlerTable = {
  ...textHandlers,
  ...modelHandlers,
  ...imageHandlers,
};
