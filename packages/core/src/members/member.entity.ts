import { defineEntity, sameShape } from '../entities/entity.js';
import { memberModel, teamModel } from './member.model.js';
import type { Member, Team } from './member.schema.js';

/** Members: the host's users who own records. */
export const memberEntity = defineEntity({
  name: 'member', service: 'members', model: memberModel,
  toRecord: (row): Member => row, toRow: sameShape.toRow<Member>,
  customizable: true, ownable: true, taskLinkable: false, idempotentCreate: false,
});

/** Teams of members. */
export const teamEntity = defineEntity({
  name: 'team', service: 'teams', model: teamModel,
  toRecord: (row): Team => row, toRow: sameShape.toRow<Team>,
  customizable: true, ownable: true, taskLinkable: false, idempotentCreate: false,
});
