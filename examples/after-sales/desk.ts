import type { Case, Crm, IntakeMessage, IntakeResult, Member, Survey, TenantScope } from '@crmkit/core';
import type { Subject, WorkflowEngine, WorkflowInstance } from '@crmkit/workflows';
import type { Catalogue } from './catalogue.js';
import type { Customers } from './customers.js';
import type { ServiceOrg } from './service-org.js';

/** The tickets of the scenario, by the name the script gives them. */
export type TicketKey = 'hotelHubs' | 'jonasRecordings' | 'maxCam' | 'leaClaim' | 'leaPairing';

/** What the scripted desk work sees: the CRM, the engine, the seeded records and the tickets opened so far. */
export class Desk {
  /** Case ids by ticket, filled in as tickets arrive. */
  readonly tickets = new Map<TicketKey, string>();
  /** The tenant scope without an actor (the customer, the mail gateway). */
  readonly t: TenantScope;

  constructor(
    readonly crm: Crm,
    readonly tenantId: string,
    readonly engine: WorkflowEngine,
    readonly org: ServiceOrg,
    readonly catalogue: Catalogue,
    readonly customers: Customers,
  ) {
    this.t = crm.tenant(tenantId);
  }

  /** The tenant scope acting as a member: responses and status changes record who did them. */
  as(member: Member): TenantScope {
    return this.crm.tenant(this.tenantId, { actorId: member.id });
  }

  /** The case of a ticket. @throws {Error} for a ticket that has not arrived */
  caseId(key: TicketKey): string {
    const id = this.tickets.get(key);
    if (!id) throw new Error(`Ticket ${key} has not arrived yet`);
    return id;
  }

  /** The ticket's case as stored now. */
  async case(key: TicketKey): Promise<Case> {
    return this.t.cases.get(this.caseId(key));
  }

  /**
   * A message from the mail, SMS or chat gateway: `cases.ingest` finds the
   * sender and threads or opens the case; a case it opens goes to tier 1 and
   * the agent named, with the message's own `case` fields (a warranty claim's
   * type and asset). Returns what the intake did.
   */
  async receive(key: TicketKey, message: IntakeMessage, agent: Member): Promise<IntakeResult> {
    const result = await this.t.cases.ingest({ ...message, case: { teamId: this.org.tier1.id, ownerId: agent.id, ...message.case } });
    if (result.opened) this.tickets.set(key, result.record.id);
    return result;
  }

  /** The one instance of a workflow about a subject. @throws {Error} when there is none */
  async instance(workflowId: string, subject: Subject): Promise<WorkflowInstance> {
    const [run] = await this.engine.instancesOf(this.tenantId, subject, workflowId);
    if (!run) throw new Error(`No ${workflowId} instance for ${subject.type} ${subject.id}`);
    return run;
  }

  /** The survey about a ticket still waiting for its answer. @throws {Error} when none was sent */
  async openSurvey(key: TicketKey): Promise<Survey> {
    const survey = (await this.t.surveys.ofCase(this.caseId(key))).find((s) => s.status === 'sent');
    if (!survey) throw new Error(`No survey waits for an answer about ${key}`);
    return survey;
  }
}
