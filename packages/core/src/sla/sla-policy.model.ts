import type { BusinessCalendarOptions } from '../calendar/business-calendar.js';
import { defineModel, typedField } from '../storage/schema.js';
import type { SlaConditions, SlaPriorityTargets } from './sla.schema.js';

/** Storage of SLA policies. */
export const slaPolicyModel = defineModel({
  name: 'slaPolicy',
  table: 'crm_sla_policy',
  fields: {
    name: { type: 'string' },
    position: { type: 'integer' },
    active: { type: 'boolean' },
    conditions: typedField<SlaConditions>('json'),
    targets: typedField<SlaPriorityTargets>('json'),
    businessHours: { type: 'boolean' },
    calendar: typedField<BusinessCalendarOptions | null>('json', { nullable: true }),
    pauseOnHold: { type: 'boolean' },
    warnBeforeMinutes: { type: 'integer', nullable: true },
  },
  indexes: [
    { name: 'position', fields: ['position'] },
    { name: 'name', fields: ['name'], unique: true },
  ],
});
