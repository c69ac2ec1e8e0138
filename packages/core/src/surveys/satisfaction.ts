import type { WriteScope } from '../common/context.js';
import type { EntityStore } from '../common/entity-store.js';
import type { contactModel } from '../contacts/contact.model.js';
import type { Contact } from '../contacts/contact.schema.js';
import type { Survey } from './survey.schema.js';

type ContactStore = EntityStore<NonNullable<(typeof contactModel)['rowType']>, Contact>;

/**
 * Keeps the contact's latest satisfaction current after an answer. NPS (the
 * relationship: would they recommend us, 0-10) goes into `satisfaction` /
 * `satisfactionAt`, whose documented scale it is; CSAT (one service, 1-5)
 * into `csat` / `csatAt`, so that the two scales never share a column. The
 * answer replaces what is there only when it is not older: answers arrive out
 * of order (a late email, an import), and the latest by `answeredAt` wins.
 */
export async function keepContactCurrent(w: WriteScope, contacts: ContactStore, survey: Survey): Promise<void> {
  const { score, answeredAt } = survey;
  if (score === null || answeredAt === null) return;
  // A contact erased since the survey was sent has no satisfaction to keep; the answer still counts for the case and the reports.
  const contact = await contacts.find(survey.contactId, w.tx, true);
  if (contact === undefined) return;
  const { after, changes } = await contacts.patch(w, survey.contactId, (before): Partial<Contact> => {
    if (survey.kind === 'nps') {
      return before.satisfactionAt !== null && before.satisfactionAt > answeredAt ? {} : { satisfaction: score, satisfactionAt: answeredAt };
    }
    return before.csatAt !== null && before.csatAt > answeredAt ? {} : { csat: score, csatAt: answeredAt };
  });
  if (changes.length > 0) w.emit('contact.updated', { record: after, changes });
}
