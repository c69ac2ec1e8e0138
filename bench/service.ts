import { type Row, createCrm, newId } from '@crmkit/core';
import { type Scratch, countRows, openMigrated } from './databases.js';
import { contactInput } from './fixtures.js';
import { type MemoryProbe, type Summary, interleave, measure } from './measure.js';
import { contactParams, rawContacts } from './raw-sqlite.js';

/** Options of {@link serviceImport}. */
export interface ServiceImportOptions {
  probe: MemoryProbe;
  rounds: number;
  /** The contacts; the service side receives them as public-API inputs. */
  rows: readonly Row[];
  tenantId: string;
  files: Scratch;
}

/**
 * The service level, for information: `crm.tenant(t).contacts.createMany` (zod
 * validation, email and phone normalisation, ids, one `contact.created` outbox
 * row per contact, all in one transaction) against raw inserts of the same
 * contact rows plus one outbox row each (with its event log position from one
 * counter update), in one transaction. Fresh databases every round.
 */
export async function serviceImport(options: ServiceImportOptions): Promise<{ crmkit: Summary; raw: Summary }> {
  const { probe, rounds, rows, tenantId, files } = options;
  const inputs = rows.map(contactInput);
  return interleave(
    rounds,
    async (round) => {
      const adapter = await openMigrated(files.file(`service-crmkit-${round}.db`));
      const tenant = (await createCrm({ adapter })).tenant(tenantId);
      const sample = await measure(probe, inputs.length, async () => void (await tenant.contacts.createMany(inputs)));
      if (countRows(adapter, 'crm_event') !== rows.length) throw new Error('service import lost events');
      await adapter.close();
      return sample;
    },
    async (round) => {
      const adapter = await openMigrated(files.file(`service-raw-${round}.db`));
      const { insertContact, insertEvent, reserveEvents } = rawContacts(adapter.database, 50);
      const write = adapter.database.transaction(() => {
        const now = new Date().toISOString();
        let position = reserveEvents(rows.length);
        for (const row of rows) {
          insertContact.run(contactParams(row));
          insertEvent.run(tenantId, newId(), now, now, 'contact.created', null, now, JSON.stringify({ record: row }), position++);
        }
      });
      const sample = await measure(probe, rows.length, () => write.immediate());
      if (countRows(adapter, 'crm_event') !== rows.length) throw new Error('raw import lost events');
      await adapter.close();
      return sample;
    },
  );
}
