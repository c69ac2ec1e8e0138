import { entitiesWhere } from '../entities/registry.js';
import type { TaskLinkType } from './task.schema.js';

/** The entities a task can be about, from the registry: `contact`, `company`, `deal`, `interaction`... */
export const taskLinkTypes: readonly TaskLinkType[] = entitiesWhere('taskLinkable');
