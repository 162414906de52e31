"""Working time. INTERFACE STUB — being implemented; signatures are the contract.

is_workday(day: date) -> bool
    Monday–Friday, except CalendarDay rows (holidays off, 调休 swapped weekend days on).
add_working_hours(start: datetime, hours: float) -> datetime
    `hours` of working time after `start` (working hours: settings.WORKING_HOURS).
add_working_days(start: datetime, days: int) -> datetime
    the same clock time `days` working days later (moved into working hours when outside).
working_hours_between(start: datetime, end: datetime) -> float
"""
