/**
 * Working time. Business-hours delays (`WorkflowDefinition.businessDelays`)
 * are added to "now" through a calendar instead of the wall clock.
 */
export interface BusinessCalendar {
  /** The instant when `ms` of working time have passed after `from`. */
  addWorkingTime(from: Date, ms: number): Date;
}
