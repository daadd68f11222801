"""Release cycles as openstack/releases publishes them: series, weeks, events, deliverables."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from releases.kinds import ANCHOR_KINDS, EventKind


class ReleaseModel(models.TextChoices):
    """openstack/releases' release models, spelled as upstream spells them."""

    CYCLE_WITH_MILESTONES = "cycle-with-milestones"
    CYCLE_WITH_RC = "cycle-with-rc"
    CYCLE_WITH_INTERMEDIARY = "cycle-with-intermediary"
    CYCLE_TRAILING = "cycle-trailing"
    CYCLE_AUTOMATIC = "cycle-automatic"
    INDEPENDENT = "independent"
    UNTAGGED = "untagged"
    ABANDONED = "abandoned"


class DeliverableType(models.TextChoices):
    SERVICE = "service"
    LIBRARY = "library"
    CLIENT_LIBRARY = "client-library"
    HORIZON_PLUGIN = "horizon-plugin"
    TEMPEST_PLUGIN = "tempest-plugin"
    TRAILING = "trailing"
    OTHER = "other"


class Series(models.Model):
    """One release cycle (ocata, 2025.1 epoxy, …) with its place in the sequence of series."""

    name = models.SlugField(max_length=40, unique=True, help_text="Series name, e.g. ocata.")
    position = models.PositiveIntegerField(
        unique=True, help_text="Order of the series, oldest (austin) first."
    )
    release_id = models.CharField(
        max_length=20, blank=True, help_text="Numbered release id, e.g. 2025.1 (from 2023.1 on)."
    )
    status = models.CharField(max_length=40, blank=True)
    initial_release = models.DateField(null=True, blank=True)
    start_week = models.DateField(null=True, blank=True, help_text="Monday of the first week.")
    release_week = models.DateField(null=True, blank=True, help_text="Monday of release week.")
    length_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Weeks from the start week to release week inclusive."
    )
    updated_at = models.DateTimeField(
        default=timezone.now,
        help_text="When the series' schedule or deliverables last changed (ETag/Last-Modified).",
    )

    class Meta:
        ordering = ["position"]
        verbose_name_plural = "series"
        constraints = [
            models.CheckConstraint(
                condition=Q(release_week__isnull=True)
                | Q(start_week__isnull=True)
                | Q(release_week__gte=F("start_week")),
                name="series_release_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.release_id} {self.name}".strip()

    @property
    def title(self) -> str:
        return self.name.capitalize()

    @property
    def stable_branch(self) -> str:
        """stable/<series> up to zed, stable/<release id> from 2023.1 antelope on."""
        return f"stable/{self.release_id or self.name}"


class Week(models.Model):
    """A Monday–Friday week of a series' schedule, named R-N counting down to release week."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="weeks")
    start = models.DateField()
    end = models.DateField()
    name = models.CharField(max_length=10, blank=True, help_text="R-N / R+N, when named.")

    class Meta:
        ordering = ["series__position", "start"]
        constraints = [
            models.UniqueConstraint(fields=["series", "start"], name="week_unique_start"),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="week_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.series.name} {self.name or self.start.isoformat()}"


class Event(models.Model):
    """A schedule event (milestone, freeze, deadline) with its date and the rule that gave it."""

    series = models.ForeignKey(
        Series,
        on_delete=models.CASCADE,
        related_name="events",
        help_text="The series the event is about (not necessarily the file it was listed in).",
    )
    key = models.CharField(max_length=80, help_text="Upstream event id, e.g. o-ff.")
    kind = models.CharField(max_length=40, choices=EventKind.choices, db_index=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    date = models.DateField()
    rule = models.CharField(max_length=20, help_text="Which date rule produced the date.")
    week = models.ForeignKey(
        Week, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    team = models.CharField(
        max_length=60, blank=True, help_text="Empty for cross-project events, else the team."
    )
    source = models.CharField(max_length=200, blank=True, help_text="File the date came from.")
    conflicts = models.JSONField(
        default=list, blank=True, help_text="Where the sources disagree about this event."
    )

    class Meta:
        ordering = ["date", "key"]
        constraints = [
            models.UniqueConstraint(fields=["series", "key"], name="event_unique_key"),
        ]
        indexes = [models.Index(fields=["series", "kind"])]

    def __str__(self) -> str:
        return f"{self.key} {self.date.isoformat()}"

    @property
    def cross_project(self) -> bool:
        return not self.team


class Occurrence(models.Model):
    """One day (or span of days) an event happens on, as one series' schedule lists it.

    An event listed in several weeks happens in each; a stated span ("20-24 February 2017")
    is one occurrence from its first to its last day. ``ordinal`` numbers the event's distinct
    days (0 = the first, whose date is also ``Event.date``). The same day listed by several
    series' schedules gives one row per listing series; ``primary`` marks the one shown where
    the event is the cycle's own (its own series' listing when there is one).
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="occurrences")
    listing = models.ForeignKey(
        Series,
        on_delete=models.CASCADE,
        related_name="listed_occurrences",
        help_text="The series whose schedule lists it (not necessarily the event's series).",
    )
    ordinal = models.PositiveSmallIntegerField(
        default=0, help_text="Which of the event's days it is, 0 for the first."
    )
    date = models.DateField(help_text="First day.")
    end_date = models.DateField(help_text="Last day (the first for a one-day event).")
    week = models.ForeignKey(
        Week,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="occurrences",
        help_text="The week the schedule lists it in.",
    )
    rule = models.CharField(max_length=20, help_text="Which date rule produced the dates.")
    primary = models.BooleanField(
        default=True, help_text="The listing shown in the event's own series' schedule."
    )
    source = models.CharField(max_length=200, blank=True, help_text="File that lists it.")

    class Meta:
        ordering = ["date", "end_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "listing", "ordinal"], name="occurrence_unique_listing"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("date")), name="occurrence_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["listing", "date"])]

    def __str__(self) -> str:
        days = self.date.isoformat()
        if self.end_date != self.date:
            days += f"..{self.end_date.isoformat()}"
        return f"{self.event.key} {days}"

    @property
    def days(self) -> int:
        return (self.end_date - self.date).days + 1

    # What pages show of a day is its event's: a list of occurrences reads like one of events.
    @property
    def key(self) -> str:
        return self.event.key

    @property
    def kind(self) -> str:
        return self.event.kind

    @property
    def title(self) -> str:
        return self.event.title

    @property
    def team(self) -> str:
        return self.event.team

    @property
    def conflicts(self) -> list[str]:
        return self.event.conflicts


class Deliverable(models.Model):
    """A deliverable (one or more git repositories released together)."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeliverableSeries(models.Model):
    """One deliverables/<series>/<name>.yaml file: how a deliverable is released in a series.

    ``series`` is empty for deliverables/_independent/ files, which belong to no series.
    """

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="records")
    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, null=True, blank=True, related_name="deliverables"
    )
    team = models.CharField(max_length=80, db_index=True)
    type = models.CharField(max_length=20, choices=DeliverableType.choices)
    release_model = models.CharField(
        max_length=30, choices=ReleaseModel.choices, blank=True, db_index=True
    )
    launchpad = models.CharField(max_length=100, blank=True)
    repos = models.JSONField(default=list, blank=True)
    releases = models.JSONField(default=list, blank=True, help_text="[{version, repos}]")
    branches = models.JSONField(default=list, blank=True, help_text="[{name, location}]")
    source = models.CharField(
        max_length=200, unique=True, help_text="Path inside openstack/releases."
    )
    digest = models.CharField(max_length=64, help_text="SHA-256 of the file, to skip re-imports.")

    class Meta:
        ordering = ["series__position", "deliverable__name"]
        verbose_name = "deliverable in a series"
        verbose_name_plural = "deliverables in a series"
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable", "series"], name="deliverable_series_unique"
            ),
            models.UniqueConstraint(
                fields=["deliverable"],
                condition=Q(series__isnull=True),
                name="deliverable_independent_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deliverable.name} ({self.series.name if self.series else 'independent'})"


class ImportRun(models.Model):
    """Audit row for one import of an openstack/releases tree."""

    path = models.CharField(max_length=500)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    actor = models.CharField(max_length=150, blank=True, help_text="Who or what started it.")
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"import of {self.path} at {self.started_at:%Y-%m-%d %H:%M}"


# --- Branch cuts -------------------------------------------------------------------------------

# "none" plans no branch; every other anchor is an event kind, spelled as EventKind spells it.
BranchAnchor = models.TextChoices(
    "BranchAnchor",
    [("NONE", ("none", "no branch"))] + [(k.name, (k.value, k.label)) for k in ANCHOR_KINDS],
)
BranchAnchor.__doc__ = "Schedule event kinds a branch-cut rule may anchor to, or none."


class BranchRule(models.Model):
    """When deliverables of a release model (and type) get their stable branch: anchor + offset.

    ``deliverable_type`` empty is the release model's default. Seeded by a data migration with
    offsets calibrated on the real history (``calibrate_branch_rules``); editable in the admin.
    """

    release_model = models.CharField(max_length=30, choices=ReleaseModel.choices)
    deliverable_type = models.CharField(
        max_length=20,
        choices=DeliverableType.choices,
        blank=True,
        help_text="Empty: the default for the release model.",
    )
    anchor_kind = models.CharField(
        max_length=30,
        choices=BranchAnchor.choices,
        help_text="Schedule event the cut is anchored to; 'none' plans no branch.",
    )
    offset_days = models.SmallIntegerField(
        default=0, help_text="Days after (+) or before (-) the anchor event."
    )
    rationale = models.TextField(blank=True, help_text="The release-process rule it encodes.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["release_model", "deliverable_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["release_model", "deliverable_type"], name="branch_rule_unique_key"
            ),
            models.CheckConstraint(
                condition=~Q(anchor_kind="none") | Q(offset_days=0),
                name="branch_rule_none_has_no_offset",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.release_model}/{self.deliverable_type or '*'} → {self.anchor_kind}"


class BranchPolicy(models.Model):
    """A team's or one deliverable's override of the branch-cut rule.

    E.g. TripleO: "cut at the final RC, not at RC1" (wait more than for Newton). Exactly one of
    ``team`` and ``deliverable`` is set; ``series`` empty means every series.
    """

    team = models.CharField(max_length=80, blank=True, db_index=True)
    deliverable = models.ForeignKey(
        "Deliverable",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="branch_policies",
    )
    series = models.ForeignKey(
        Series,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="branch_policies",
        help_text="Empty: every series.",
    )
    anchor_kind = models.CharField(max_length=30, choices=BranchAnchor.choices)
    offset_days = models.SmallIntegerField(default=0)
    reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team", "deliverable__name"]
        verbose_name_plural = "branch policies"
        constraints = [
            models.CheckConstraint(
                condition=(Q(team="") & Q(deliverable__isnull=False))
                | (~Q(team="") & Q(deliverable__isnull=True)),
                name="branch_policy_team_xor_deliverable",
            ),
        ]

    def __str__(self) -> str:
        who = self.deliverable.name if self.deliverable_id else f"team {self.team}"
        return f"{who} → {self.anchor_kind} {self.offset_days:+d} d"


class BranchActual(models.Model):
    """One row of branch-cuts-actual.csv: when a deliverable's branch entry merged upstream."""

    series = models.ForeignKey(
        Series,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="branch_actuals",
        help_text="Empty for deliverables/_independent/ rows.",
    )
    series_name = models.CharField(
        max_length=40, blank=True, help_text="As in the file; empty for _independent."
    )
    deliverable = models.CharField(max_length=100, db_index=True)
    branch = models.CharField(max_length=60)
    merged_on = models.DateField()

    class Meta:
        ordering = ["series_name", "deliverable", "branch"]
        constraints = [
            models.UniqueConstraint(
                fields=["series_name", "deliverable", "branch"], name="branch_actual_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deliverable} {self.branch} {self.merged_on.isoformat()}"


class BranchCut(models.Model):
    """The planned (and, once known, actual) stable branch cut of a deliverable in a series.

    Computed by ``compute_branch_cuts`` (Celery) from the rules, policies and schedule; never
    edited by hand. ``rule_*`` fields keep the plan before a policy override.
    """

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="branch_cuts")
    deliverable = models.ForeignKey(
        "Deliverable", on_delete=models.CASCADE, related_name="branch_cuts"
    )
    record = models.OneToOneField(
        DeliverableSeries, on_delete=models.CASCADE, related_name="branch_cut"
    )
    team = models.CharField(max_length=80, db_index=True)
    release_model = models.CharField(max_length=30, blank=True, db_index=True)
    type = models.CharField(max_length=20, db_index=True)
    branch = models.CharField(max_length=60)
    rule = models.ForeignKey(
        BranchRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="cuts"
    )
    rule_label = models.CharField(max_length=120, blank=True)
    policy = models.ForeignKey(
        BranchPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="cuts"
    )
    policy_label = models.CharField(max_length=160, blank=True)
    anchor_kind = models.CharField(max_length=30, blank=True)
    anchor_event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="branch_cuts"
    )
    planned_date = models.DateField(null=True, blank=True)
    backport_window_days = models.IntegerField(
        null=True, blank=True, help_text="Days from the cut to the series' final release."
    )
    rule_planned_date = models.DateField(
        null=True, blank=True, help_text="The rule's plan, before the policy override."
    )
    rule_backport_window_days = models.IntegerField(null=True, blank=True)
    actual_date = models.DateField(null=True, blank=True, help_text="When the branch merged.")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["series__position", "deliverable__name"]
        constraints = [
            models.UniqueConstraint(fields=["series", "deliverable"], name="branch_cut_unique"),
        ]

    def __str__(self) -> str:
        planned = self.planned_date.isoformat() if self.planned_date else "no branch"
        return f"{self.deliverable.name} {self.branch} {planned}"

    @property
    def lag_days(self) -> int | None:
        if self.planned_date is None or self.actual_date is None:
            return None
        return (self.actual_date - self.planned_date).days
