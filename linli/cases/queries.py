"""Reads of cases. INTERFACE STUB — being implemented; signatures are the contract.

cases_for(user) -> QuerySet[Case]
    What the user may see in staff lists: dispatchers (cases.dispatch) and verifiers (cases.verify)
    by area_code prefix of their scope, units (cases.handle) by lead or assisting unit in their
    organization subtree, plus the user's own reports and followed cases. Residents: own + followed.
get_case_for(user, number) -> Case   (Http404 outside cases_for; public view decided by caller)
public_cases() -> QuerySet[Case]     (non-rejected cases; reporter never exposed)
suggest_duplicates(category, lat, lng, now=None) -> list[Case]
    same category, open, within DUPLICATE_RADIUS_METERS, reported in the last DUPLICATE_WITHIN_DAYS days.
ledger(area, date_from, date_to) -> Ledger
    collected, resolved, open, overdue, on_time_rate, satisfaction_rate, rework_rate,
    mean_handling_hours, by_category [rows], by_child_area [rows].
queue_counts(queryset) -> dict[status, int]
"""
