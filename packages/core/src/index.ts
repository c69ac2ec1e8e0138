export {
  CrmError,
  ValidationError,
  NotFoundError,
  ForbiddenError,
  ConflictError,
  DuplicateError,
  StateError,
  StorageError,
  type CrmErrorOptions,
  type ValidationIssue,
} from './errors.js';
export {
  fieldTypes,
  commonFields,
  defineModel,
  typedField,
  columnName,
  type TypedField,
  type ValueOf,
  type ValueOfType,
  type RowOf,
  type RowOfModel,
  type ModelRow,
  type Flatten,
  type FieldType,
  type FieldDefinition,
  type IndexDefinition,
  type ModelDefinition,
  type DefineModelOptions,
} from './storage/schema.js';
export {
  createModelsMigration,
  normalizeOperation,
  verifyMigrations,
  MigrationFold,
  type Migration,
  type MigrationOperation,
  type TableOperation,
  type CreateTableOperation,
  type AddFieldOperation,
  type CreateIndexOperation,
  type DropIndexOperation,
  type UpdateRowsOperation,
  type InsertRowsOperation,
  type AddLogOperation,
  type LegacyMigrationOperation,
  type RowValue,
  type TableShape,
} from './storage/migration.js';
export {
  fieldFilterOperators,
  resolveFieldRef,
  isFieldFilter,
  validateWhere,
  type Scalar,
  type FieldFilter,
  type SubQuery,
  type Where,
  type FieldRef,
} from './storage/where.js';
export {
  aggregateFunctions,
  havingComparisons,
  isHavingCondition,
  metricResultType,
  validateMetric,
  validateHaving,
  type Having,
  type HavingCondition,
  type HavingWalk,
} from './storage/having.js';
export { validateTimeZone } from './storage/time-zone.js';
export {
  differenceUnits,
  derivedModel,
  type DifferenceUnit,
  type WindowValue,
  type TimeDifference,
  type DerivedValue,
} from './storage/derived.js';
export type { GroupValue, Regroup } from './storage/group-stage.js';
export {
  dateBuckets,
  type Row,
  type NewRow,
  type Selected,
  type SortDirection,
  type OrderTerm,
  type ModelScope,
  type CreateArgs,
  type CreateManyArgs,
  type FindOneArgs,
  type FindManyArgs,
  type CountArgs,
  type UpdateArgs,
  type UpdateManyArgs,
  type DeleteArgs,
  type DeleteManyArgs,
  type DateBucket,
  type GroupKey,
  type DateBucketKey,
  type AggregateFunction,
  type AggregateMetric,
  type AggregateArgs,
  type ClaimDueArgs,
  type ReadLogArgs,
  type LogPage,
  type LogPositionArgs,
  type Storage,
  type StorageAdapter,
} from './storage/adapter.js';
export type { StorageCapabilities } from './storage/capabilities.js';
export { createCursorCodec, type CursorCodec } from './storage/cursor.js';
export {
  toTimestamp,
  storableProblem,
  comparableProblem,
  assertStorable,
  valueError,
  type ValueProblem,
  type OperandTarget,
} from './storage/values.js';
export { storageLimits } from './storage/limits.js';

export { createCrm, Crm, CrmTransaction, type CrmOptions, type TenantOptions, type DeliverRemindersOptions, type AccessOptions } from './crm.js';
export { TenantScope } from './tenant-scope.js';
export { defaultLimits, type InputLimits } from './common/limits.js';
export { entities, entityNamed, entitiesWhere, type EntityName, type EntityRecord, type EntityRow, type EntitiesWhere } from './entities/registry.js';
export { defineEntity, type EntityDefinition, type EntityFlags } from './entities/entity.js';
export type { CreateOptions } from './common/idempotent-create.js';
export type { DealContact } from './deals/deal-contacts.js';
export { coreModels } from './schema.js';
export { coreMigrations } from './migrations/index.js';
export { systemClock, ManualClock, type Clock } from './common/clock.js';
export { businessCalendar, type BusinessCalendar, type BusinessCalendarOptions } from './calendar/business-calendar.js';
export { newId } from './common/ids.js';
export { withRetry, type RetryOptions } from './common/retry.js';
export { customizableEntities, type CustomizableEntity, type CustomFieldSchemas } from './common/custom-fields.js';
export type { ListOptions, Page, OrderByInput } from './common/list.js';
export { baseRecordShape, ownedRecordShape, type BaseRecord, type OwnedRecord } from './common/record.js';
export type { Money, WriteOptions } from './common/zod-helpers.js';
export type { CrmEvent, CrmEventMap, CrmEventName, CrmEventListener, Updated, Deleted } from './events/event-map.js';
export { TenantEvents } from './events/tenant-events.js';
export type { AuditEntry, AuditChange, AuditAction } from './audit/audit.schema.js';
export { AuditService } from './audit/audit.service.js';
export {
  memberRoles, memberInputSchema, memberPatchSchema, teamInputSchema, teamPatchSchema,
  type Member, type MemberRole, type MemberInput, type MemberPatch, type Team, type TeamInput, type TeamPatch,
} from './members/member.schema.js';
export { MembersService } from './members/members.service.js';
export { TeamsService } from './members/teams.service.js';
export { companyInputSchema, companyPatchSchema, type Company, type CompanyInput, type CompanyPatch } from './companies/company.schema.js';
export { normalizeDomain } from './companies/domain.js';
export { CompaniesService } from './companies/companies.service.js';
export {
  lifecycleStages, contactChannels, contactInputSchema, contactPatchSchema,
  type EmailAddress, type PhoneNumber, type Contact, type ContactInput, type ContactPatch, type LifecycleStage, type ContactChannel, type Consent,
} from './contacts/contact.schema.js';
export { toE164 } from './contacts/phone.js';
export { ContactsService } from './contacts/contacts.service.js';
export { productInputSchema, productPatchSchema, type Product, type ProductInput, type ProductPatch } from './products/product.schema.js';
export { ProductsService } from './products/products.service.js';
export { orderStatuses, orderTransitions, type OrderStatus } from './orders/order-status.js';
export {
  orderInputSchema, orderPatchSchema, orderLineInputSchema, fromDealOptionsSchema, setStatusOptionsSchema as orderStatusOptionsSchema,
  type Order, type OrderInput, type OrderPatch, type OrderLine, type OrderLineInput, type FromDealOptions, type SetOrderStatusOptions,
} from './orders/order.schema.js';
export { lastOrdersOptionsSchema, type CustomerOrders, type LastOrdersOptions } from './orders/last-orders.js';
export { OrdersService, type OrderCustomer } from './orders/orders.service.js';
export {
  assetStatuses, assetInputSchema, assetPatchSchema, replaceInputSchema,
  type Asset, type AssetInput, type AssetPatch, type AssetStatus, type ReplaceInput,
} from './assets/asset.schema.js';
export { AssetsService, type AssetOwner } from './assets/assets.service.js';
export { caseTypes, type CaseType } from './contracts/case-types.js';
export {
  contractKinds, contractStatuses, coverageSchema, contractInputSchema, contractPatchSchema, renewOptionsSchema, expiringOptionsSchema,
  type Contract, type ContractKind, type ContractStatus, type Coverage, type CoverageCheck, type ContractInput, type ContractPatch,
  type RenewOptions, type ExpiringOptions,
} from './contracts/contract.schema.js';
export { contractTransitions } from './contracts/contract-status.js';
export { ContractsService } from './contracts/contracts.service.js';
export {
  stageCategories, forecastCategories, stageInputSchema, pipelineInputSchema, stagePatchSchema,
  type Pipeline, type PipelineInput, type Stage, type StageInput, type StagePatch, type StageCategory, type ForecastCategory,
} from './pipelines/pipeline.schema.js';
export { PipelinesService } from './pipelines/pipelines.service.js';
export {
  dealStatuses, dealInputSchema, dealPatchSchema, dealLineInputSchema, moveOptionsSchema,
  type Deal, type DealInput, type DealPatch, type DealLine, type DealLineInput, type DealStatus, type MoveOptions,
} from './deals/deal.schema.js';
export type { StageChange } from './deals/stage-history.js';
export { fieldValue, isFilled, missingFields, missingForStage } from './deals/required-fields.js';
export { DealsService } from './deals/deals.service.js';
export {
  interactionTypes, interactionDirections, interactionInputSchema, interactionPatchSchema, type InteractionPatch,
  type Interaction, type InteractionInput, type InteractionType, type InteractionDirection,
} from './interactions/interaction.schema.js';
export { InteractionsService } from './interactions/interactions.service.js';
export {
  taskPriorities, taskStatuses, taskInputSchema, taskPatchSchema,
  type Task, type TaskInput, type TaskPatch, type TaskPriority, type TaskStatus, type TaskLinkType,
} from './tasks/task.schema.js';
export { TasksService } from './tasks/tasks.service.js';
export {
  surveyKinds, surveyStatuses, detractorActions, surveyScales, isDetractor, surveySendSchema, surveyResponseSchema,
  type Survey, type SurveyKind, type SurveyStatus, type DetractorAction, type SurveySendInput, type SurveyResponse, type SurveyAtOptions,
} from './surveys/survey.schema.js';
export { SurveysService } from './surveys/surveys.service.js';
export {
  segmentKinds, purchaseStatuses, metricConditionSchema,
  type SegmentKind, type SegmentRule, type MetricCondition, type TimeBound, type TimeComparison, type NumberComparison,
} from './segments/segment-rule.js';
export {
  segmentInputSchema, segmentPatchSchema,
  type Segment, type SegmentInput, type SegmentPatch, type SegmentRef, type SegmentMembershipChange, type SegmentRefresh,
  type MembershipChange, type SegmentCountOptions, type RefreshDueOptions,
} from './segments/segment.schema.js';
export { SegmentsService } from './segments/segments.service.js';
export {
  customerViewOptionsSchema,
  type CustomerView, type CustomerViewOptions, type Slice, type LifetimeValue, type OrderSummary, type AssetCoverage,
  type SlaTargetState, type CaseSlaState, type SatisfactionSummary,
} from './customers/customer-view.schema.js';
export { CustomersService } from './customers/customers.service.js';
export {
  caseChannels, unthreadedChannels, casePriorities, caseStatuses, caseActivityKinds, slaTargetNames,
  type CaseChannel, type CasePriority, type CaseStatus, type CaseActivityKind, type SlaTargetName,
} from './cases/case-values.js';
export { caseInputSchema, casePatchSchema, type Case, type CaseInput, type CasePatch, type CaseSla, type CaseActivity } from './cases/case.schema.js';
export type { AssignInput, CustomerMessageInput, ResponseInput, SlaEventInput, StatusOptions } from './cases/case-options.js';
export type { CaseMessageResult } from './cases/case-writer.js';
export { caseTransitions } from './cases/case-lifecycle.js';
export { ticketSchema, type TicketImport } from './cases/case-import.js';
export { intakeMessageSchema, intakeCaseSchema, type IntakeMessage, type IntakeCase, type IntakeResult } from './cases/case-intake.js';
export { CasesService } from './cases/cases.service.js';
export {
  slaPolicyInputSchema, slaPolicyPatchSchema,
  type SlaPolicy, type SlaPolicyInput, type SlaPolicyPatch, type SlaTargets, type SlaPriorityTargets, type SlaConditions, type SlaCaseLike,
} from './sla/sla.schema.js';
export type { SlaClock, SlaRules } from './sla/sla-clock.js';
export { SlaPoliciesService } from './sla/sla-policies.service.js';
export { taskLinkTypes } from './tasks/task-links.js';
export { TimelineService, type TimelineItem, type TimelinePage, type TimelineOptions } from './timeline/timeline.service.js';
export { ReportsService } from './reports/reports.service.js';
export type { PipelineSummary, PipelineStageSummary, PipelineSummaryOptions } from './reports/pipeline-summary.js';
export type { WinRateRow, WinRateOptions } from './reports/win-rate.js';
export {
  caseReportDimensions, reportPeriods, type CaseReportDimension, type CaseReportKey, type ReportPeriod,
} from './reports/case-groups.js';
export type { SlaComplianceOptions, SlaComplianceRow, SlaTargetCompliance } from './reports/sla-compliance.js';
export type { ResponseTimesOptions, ResponseTimesRow, ResponseTimeFigures } from './reports/response-times.js';
export { openCaseStatuses, type CaseBacklogOptions, type CaseBacklogRow, type CaseAgeBucket } from './reports/case-backlog.js';
export {
  satisfactionDimensions, type SatisfactionDimension, type SatisfactionOptions, type SatisfactionRow, type CsatFigures, type NpsFigures,
} from './reports/satisfaction.js';
export type { WarrantyClaimRateOptions, WarrantyClaimRateRow } from './reports/warranty-claim-rate.js';
export type { ContractRenewals, ContractRenewalsOptions, ContractRenewalRow, ExpiringContracts } from './reports/contract-renewals.js';
export type { RepeatPurchase, RepeatPurchaseOptions } from './reports/repeat-purchase.js';
export { forecastReportCategories, type ForecastReportCategory, type ForecastOptions, type ForecastRow } from './reports/sales/forecast.js';
export { winLossDimensions, type WinLossDimension, type WinLossOptions, type WinLossRow, type LossReasonCount } from './reports/sales/win-loss.js';
export type { ActivityOptions, ActivityRow } from './reports/sales/activity.js';
export {
  salesCycleDimensions, type SalesCycleDimension, type SalesCycleOptions, type SalesCycleRow, type SalesCycleFigures,
} from './reports/sales/sales-cycle.js';
export type { StageVelocityOptions, StageVelocityRow } from './reports/sales/stage-velocity.js';
export type { Funnel, FunnelOptions, FunnelStage } from './reports/sales/funnel.js';
export {
  customerLifecycleStages, leadSourceDimensions, type LeadSourceDimension, type LeadSourcesOptions, type LeadSourceRow,
} from './reports/sales/lead-sources.js';
export { InsightsService } from './insights/insights.service.js';
export {
  churnLabels, churnModelSchema, trainChurnOptionsSchema,
  type ChurnLabel, type ChurnModel, type ChurnModelFeature, type ChurnRisk, type ChurnContribution, type TrainChurnOptions,
} from './insights/churn-model.js';
export { churnFeatures, type ChurnFeature } from './insights/churn-features.js';
export { churnRiskOptionsSchema, type ChurnRiskOptions } from './insights/churn-training.js';
export {
  nextBestOffersOptionsSchema, evaluateOffersOptionsSchema,
  type NextBestOffers, type NextBestOffersOptions, type EvaluateOffersOptions, type OfferEvaluation,
} from './insights/next-best-offer.js';
export type { OfferSuggestion, OfferRule } from './insights/co-purchase.js';
export { fitLogistic, sigmoid, type LogisticFit, type LogisticOptions } from './insights/logistic-regression.js';
export { auc, isHeldOut } from './insights/evaluation.js';
export type { CustomerKind } from './reports/customers/scope.js';
export type { CustomerRankingOptions, CustomerRankingRow } from './reports/customers/customer-ranking.js';
export type { InactiveCustomer, InactiveCustomers, InactiveCustomersOptions } from './reports/customers/inactive-customers.js';
export type { CurrencyLifetimeValue, CustomerLifetimeValue, LifetimeValueOptions, LifetimeValueReport } from './reports/customers/lifetime-value.js';
export type { ChurnRateOptions, ChurnRateRow } from './reports/customers/churn-rate.js';
export type { CohortRetentionCell, CohortRetentionOptions, CohortRetentionRow } from './reports/customers/cohort-retention.js';
export type { PurchaseGapFigures, PurchaseGapPeriod, PurchaseGaps, PurchaseGapsOptions } from './reports/customers/purchase-gaps.js';
export type { RfmCell, RfmCustomer, RfmOptions, RfmReport } from './reports/customers/rfm.js';
export { rfmSegment, rfmSegments, type RfmScore, type RfmSegment } from './reports/customers/rfm-segments.js';
export {
  cubeCatalogue, cubeFunctions, cubeSources,
  type CubeCatalogueEntry, type CubeDateField, type CubeDimension, type CubeFunction, type CubeMeasure, type CubeMeasureField, type CubeSource, type CubeTeamSource,
} from './reports/cube/cube-catalogue.js';
export type { CubeOptions, CubeOptionsOf } from './reports/cube/cube.schema.js';
export type { CubeKey, CubeResult, CubeRow, CubeValue } from './reports/cube/cube-rows.js';
export { maxCubeTeams } from './reports/cube/cube.js';
export {
  campaignStatuses, campaignTransitions, campaignInputSchema, campaignPatchSchema,
  type Campaign, type CampaignInput, type CampaignPatch, type CampaignStatus,
} from './campaigns/campaign.schema.js';
export {
  campaignMemberStatuses, enrollInputSchema, memberStatusInputSchema, markSentSchema, responseInputSchema,
  type CampaignMember, type CampaignMemberStatus, type CampaignMemberStatusInput, type CampaignResponseInput, type EnrollInput,
  type EnrollResult, type MarkSentOptions,
} from './campaigns/campaign-member.schema.js';
export { attributionModels, type AttributionModel } from './campaigns/campaign-attribution.js';
export { campaignReportOptionsSchema, type CampaignReport, type CampaignReportOptions } from './campaigns/campaign-report.js';
export { CampaignsService, type CampaignResponse } from './campaigns/campaigns.service.js';
export type { ElementValue, ExpandRowsOperation } from './storage/migration.js';
export { rfmScoresOptionsSchema, type RfmScoresOptions, type RfmScoresRefresh, type StoredRfmScore } from './customers/rfm-scores.js';
export type { RfmCondition, ScoreComparison } from './segments/segment-rule.js';
export type { ContractChurnRow } from './reports/contract-renewals.js';
export {
  importEntities,
  referenceKinds,
  type ImportEntity,
  type ImportIssue,
  type ImportMapping,
  type ImportOptions,
  type ImportProgress,
  type ImportReport,
  type ImportSource,
  type ReferenceKind,
} from './import/import.schema.js';
export { ImportsService } from './import/imports.service.js';
export { ExportsService } from './export/exports.service.js';
export {
  exportOptionsSchema, exportTargetSchema,
  type ExportMapping, type ExportOptions, type ExportProgress, type ExportResult, type ExportTarget,
} from './export/export.schema.js';
export {
  duplicateEntities, type DuplicateEntity, type DuplicateMatch, type DuplicateReason, type DuplicateCandidate,
  type FindDuplicatesOptions, type CheckDuplicatesOptions, type MergeInput,
} from './duplicates/duplicate.schema.js';
export { normalizeName, normalizeCompanyName } from './duplicates/normalize.js';
export { DuplicatesService } from './duplicates/duplicates.service.js';
export type { MergeResult } from './merge/merge.js';
export { mergedRecordModel } from './merge/merged-record.model.js';
export { PrivacyService } from './privacy/privacy.service.js';
export type { ConsentChange, ConsentSourceOption, ConsentValue, EraseOptions, ErasureRecord, ExportedEvent, PersonalDataExport, SegmentMembership } from './privacy/privacy.schema.js';
export type { MergeRelinkContext, PersonalDataContext, PersonalDataHandler, PersonalRecordRef } from './privacy/personal-data-handler.js';
export { consentChangeModel, erasureModel } from './privacy/privacy.model.js';
export { TenantAdmin, type TenantBackupOptions, type TenantRestoreOptions, type TenantRestoreResult } from './tenants/tenant-admin.js';
export type { TenantBackupSource } from './tenants/ndjson-lines.js';
export {
  tenantBackupFormat, tenantBackupVersion, type TenantBackupEndLine, type TenantBackupHeader, type TenantBackupRowLine,
} from './tenants/backup-format.js';
export {
  accessActions, accessLevels, fieldAccessRules, type AccessAction, type AccessLevel, type FieldAccessRule,
} from './access/access-levels.js';
export { roleDefinitionSchema, type RoleDefinition, type EntityGrant } from './access/role.schema.js';
export { roleNameSchema } from './access/role-name.js';
export { builtInRoles } from './access/built-in-roles.js';
export type { AccessPolicy } from './access/access-policy.js';
export type { Role } from './access/role.entity.js';
export { roleModel, shareModel } from './access/role.model.js';
export { RolesService } from './access/roles.service.js';
export { SharesService } from './access/shares.service.js';
export { rolePatchSchema, type RoleInput, type RolePatch, type EffectiveAccess } from './access/role-service-input.js';
export {
  shareAccesses, shareableEntities, shareInputSchema, type Share, type ShareAccess, type ShareableEntity, type ShareInput,
} from './access/share.schema.js';
