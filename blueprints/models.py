"""Blueprints (Launchpad feature specs), their work items and feature-freeze exceptions.

Vocabularies are Launchpad's, spelled as Launchpad spells them
(lib/lp/blueprints/enums.py), so imports and API clients see the same words.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from blueprints import rules
from releases.models import Event, Series
from squads.models import Project, Squad, SquadGoal


class Priority(models.TextChoices):
    NOT = "Not"
    UNDEFINED = "Undefined"
    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"
    ESSENTIAL = "Essential"


class DefinitionStatus(models.TextChoices):
    NEW = "New"
    DISCUSSION = "Discussion"
    DRAFTING = "Drafting"
    PENDING_APPROVAL = "Pending Approval"
    REVIEW = "Review"
    APPROVED = "Approved"
    SUPERSEDED = "Superseded"
    OBSOLETE = "Obsolete"


class ImplementationStatus(models.TextChoices):
    UNKNOWN = "Unknown"
    NOT_STARTED = "Not started"
    DEFERRED = "Deferred"
    NEEDS_INFRASTRUCTURE = "Needs Infrastructure"
    BLOCKED = "Blocked"
    STARTED = "Started"
    SLOW_PROGRESS = "Slow progress"
    GOOD_PROGRESS = "Good progress"
    BETA_AVAILABLE = "Beta Available"
    NEEDS_CODE_REVIEW = "Needs Code Review"
    DEPLOYMENT = "Deployment"
    IMPLEMENTED = "Implemented"
    INFORMATIONAL = "Informational"


class WorkItemStatus(models.TextChoices):
    TODO = "TODO"
    INPROGRESS = "INPROGRESS"
    DONE = "DONE"
    POSTPONED = "POSTPONED"
    BLOCKED = "BLOCKED"


class Blueprint(models.Model):
    """A feature spec tracked on Launchpad, targeted at a milestone of a series."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="blueprints")
    name = models.SlugField(max_length=200, help_text="Launchpad name, unique per project.")
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    spec_url = models.URLField(max_length=500, blank=True, verbose_name="spec URL")
    web_link = models.URLField(max_length=500, blank=True, help_text="Launchpad page.")
    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="blueprints")
    target_milestone = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="targeted_blueprints",
        help_text="A milestone event of the blueprint's series.",
    )
    squad = models.ForeignKey(
        Squad, on_delete=models.SET_NULL, null=True, blank=True, related_name="blueprints"
    )
    goal = models.ForeignKey(
        SquadGoal, on_delete=models.SET_NULL, null=True, blank=True, related_name="blueprints"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_blueprints",
    )
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="drafted_blueprints",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approved_blueprints",
    )
    priority = models.CharField(max_length=20, choices=Priority.choices, default=Priority.UNDEFINED)
    definition_status = models.CharField(
        max_length=20, choices=DefinitionStatus.choices, default=DefinitionStatus.NEW
    )
    implementation_status = models.CharField(
        max_length=30, choices=ImplementationStatus.choices, default=ImplementationStatus.UNKNOWN
    )
    whiteboard = models.TextField(blank=True)
    depends_on = models.ManyToManyField(
        "self",
        symmetrical=False,
        through="BlueprintDependency",
        related_name="dependents",
        blank=True,
    )
    date_created = models.DateTimeField(default=timezone.now)
    date_started = models.DateTimeField(
        null=True, blank=True, help_text="Set when the implementation status starts."
    )
    date_completed = models.DateTimeField(
        null=True, blank=True, help_text="Set when the blueprint becomes complete."
    )

    class Meta:
        ordering = ["series__position", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="blueprint_unique_name"),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="blueprint_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(definition_status__in=DefinitionStatus.values),
                name="blueprint_definition_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(implementation_status__in=ImplementationStatus.values),
                name="blueprint_implementation_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(date_started__isnull=True)
                | Q(date_completed__isnull=True)
                | Q(date_completed__gte=F("date_started")),
                name="blueprint_completed_after_started",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.target_milestone_id and self.series_id:
            if self.target_milestone.series_id != self.series_id:
                errors["target_milestone"] = "The target milestone must be of the same series."
        if self.squad_id and self.project_id and self.squad.project_id != self.project_id:
            errors["squad"] = "The squad belongs to another project."
        if self.goal_id:
            if self.goal.series_id != self.series_id:
                errors["goal"] = "The goal is for another series."
            elif self.squad_id and self.goal.squad_id != self.squad_id:
                errors["goal"] = "The goal belongs to another squad."
        if errors:
            raise ValidationError(errors)

    @property
    def is_started(self) -> bool:
        return rules.is_started(implementation_status=self.implementation_status)

    @property
    def is_complete(self) -> bool:
        return rules.is_complete(
            implementation_status=self.implementation_status,
            definition_status=self.definition_status,
        )


class BlueprintHistory(models.Model):
    """A blueprint's planning fields as they stood from ``day`` on (append-only).

    The services write one row in the same transaction as every change of a blueprint or of
    its work items; the state of the cycle on a day D is, per blueprint, its latest row with
    ``day`` <= D (``blueprints.selectors.history_on``). A blueprint without a row on or before
    D did not exist yet on D. Several rows on one day: the last one (highest id) holds.
    """

    blueprint = models.ForeignKey(Blueprint, on_delete=models.CASCADE, related_name="history")
    day = models.DateField(help_text="The server's day of the change (core.clock.today).")
    recorded_at = models.DateTimeField(default=timezone.now)
    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="+")
    target_milestone = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    squad = models.ForeignKey(
        Squad, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    priority = models.CharField(max_length=20, choices=Priority.choices)
    definition_status = models.CharField(max_length=20, choices=DefinitionStatus.choices)
    implementation_status = models.CharField(max_length=30, choices=ImplementationStatus.choices)
    work_items_total = models.PositiveIntegerField(default=0)
    work_items_done = models.PositiveIntegerField(default=0)
    work_items_blocked = models.PositiveIntegerField(default=0)
    work_items_postponed = models.PositiveIntegerField(default=0)
    # What the row changes in its series' burn-up, kept by the writer (``history_deltas``), so
    # the chart is a sum per day instead of a look back from every row.
    opens_scope = models.BooleanField(
        default=False, help_text="The blueprint's first row in this series: it joins the scope."
    )
    done_change = models.SmallIntegerField(
        default=0,
        help_text="+1 when Implemented after a row of this series that was not (or first), "
        "-1 when no longer Implemented, else 0.",
    )

    class Meta:
        ordering = ["blueprint_id", "day", "id"]
        verbose_name = "blueprint history row"
        verbose_name_plural = "blueprint history"
        indexes = [
            models.Index(fields=["blueprint", "day", "id"], name="blueprint_history_latest"),
            models.Index(fields=["series", "day"], name="blueprint_history_series_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(work_items_done__lte=F("work_items_total"))
                & Q(work_items_blocked__lte=F("work_items_total"))
                & Q(work_items_postponed__lte=F("work_items_total")),
                name="blueprint_history_counts_within_total",
            ),
            models.CheckConstraint(
                condition=Q(implementation_status__in=ImplementationStatus.values),
                name="blueprint_history_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blueprint_id} on {self.day}: {self.implementation_status}"

    @property
    def is_complete(self) -> bool:
        return rules.is_complete(
            implementation_status=self.implementation_status,
            definition_status=self.definition_status,
        )


def history_deltas(*, previous_status: str | None, status: str) -> dict:
    """``opens_scope`` and ``done_change`` of a history row whose previous row in the same
    series had ``previous_status`` (None: there is none)."""
    done, was_done = status == rules.DONE_STATUS, previous_status == rules.DONE_STATUS
    return {
        "opens_scope": previous_status is None,
        "done_change": 1 if done and not was_done else -1 if was_done and not done else 0,
    }


class ForecastDay(models.Model):
    """A series whose blueprints have :class:`BlueprintDay` rows for ``day``: one row per
    blueprint that existed then, kept current by ``blueprints.forecast_days``."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["series_id", "day"]
        constraints = [
            models.UniqueConstraint(fields=["series", "day"], name="forecast_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.series_id} on {self.day}"


class BlueprintDay(models.Model):
    """What the forecast, the freeze checks and the dashboard's attention rules say of one
    blueprint on one day, computed from its history by the same functions as every page
    (``blueprints.forecast_selectors``): the dashboard counts and ranks these rows in SQL
    instead of forecasting every blueprint on every view.

    Kept current by ``blueprints.forecast_days``: every write that can change a row's answer
    sets ``dirty`` to a new token (a history row, a dependency, an FFE, a review, a schedule
    change), and the next read of that day recomputes the dirty rows before counting.
    """

    blueprint = models.ForeignKey(Blueprint, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    squad = models.ForeignKey(
        Squad, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    target_milestone = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=200, blank=True)
    priority = models.CharField(max_length=20, blank=True)
    definition_status = models.CharField(max_length=20, blank=True)
    implementation_status = models.CharField(max_length=30, blank=True)
    target_date = models.DateField(null=True, blank=True)
    level = models.CharField(max_length=20, blank=True)
    score = models.PositiveSmallIntegerField(default=0)
    flagged = models.BooleanField(default=False)
    has_freeze_problems = models.BooleanField(default=False)
    overdue = models.BooleanField(default=False)
    blocked = models.BooleanField(default=False)
    waiting = models.BooleanField(default=False)
    unassigned = models.BooleanField(default=False)
    high_not_started = models.BooleanField(default=False)
    priority_rank = models.PositiveSmallIntegerField(default=99)
    # 0: current. Otherwise the token of the last invalidation: a recompute only clears the
    # token it read, so a write that lands while a row is being recomputed keeps it dirty.
    dirty = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["series_id", "day", "name", "blueprint_id"]
        constraints = [
            models.UniqueConstraint(fields=["blueprint", "day"], name="blueprint_day_unique"),
        ]
        indexes = [
            models.Index(fields=["series", "day", "project"], name="blueprint_day_series"),
            # The attention list's order: its first rows without sorting every row of the day.
            models.Index(
                fields=["series", "day", "project", "priority_rank", "target_date", "name"],
                name="blueprint_day_attention",
            ),
            models.Index(fields=["day"], condition=~Q(dirty=0), name="blueprint_day_dirty"),
        ]

    def __str__(self) -> str:
        return f"{self.blueprint_id} on {self.day}: {self.level}"


class BlueprintDependency(models.Model):
    """``blueprint`` cannot complete before ``depends_on`` (no cycles: see the service)."""

    blueprint = models.ForeignKey(
        Blueprint, on_delete=models.CASCADE, related_name="dependency_links"
    )
    depends_on = models.ForeignKey(
        Blueprint, on_delete=models.CASCADE, related_name="dependent_links"
    )

    class Meta:
        ordering = ["blueprint_id", "depends_on_id"]
        verbose_name_plural = "blueprint dependencies"
        constraints = [
            models.UniqueConstraint(
                fields=["blueprint", "depends_on"], name="blueprint_dependency_unique"
            ),
            models.CheckConstraint(
                condition=~Q(blueprint=F("depends_on")), name="blueprint_dependency_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blueprint} → {self.depends_on}"


class WorkItem(models.Model):
    """One line of a blueprint's Launchpad work items (``[user] Title: STATUS``)."""

    blueprint = models.ForeignKey(Blueprint, on_delete=models.CASCADE, related_name="work_items")
    title = models.CharField(max_length=300)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="work_items",
    )
    status = models.CharField(
        max_length=12, choices=WorkItemStatus.choices, default=WorkItemStatus.TODO
    )
    milestone = models.CharField(
        max_length=100, blank=True, help_text="From a 'Work items for <milestone>:' block."
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["blueprint_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=WorkItemStatus.values), name="work_item_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blueprint.name}: {self.title}"


class SpecLink(models.TextChoices):
    """How a spec names its blueprint (``blueprints.specs``, "The spec's own blueprint")."""

    URL = "url", "by its Launchpad URL"
    FILE_NAME = "file-name", "by its file name"


class SpecRole(models.TextChoices):
    """What a person named in a spec's "Assignee(s)" does: leads it or contributes."""

    PRIMARY = "primary", "primary assignee"
    CONTRIBUTOR = "contributor", "other contributor"


class BlueprintSpec(models.Model):
    """The specs-repository file a blueprint was last imported from (``import_specs``).

    Holds what the blueprint page shows of the spec (its top-level sections as
    reStructuredText, rendered safely when shown; the people and dependencies as the spec
    names them) and ``imported``: what the import last wrote to the blueprint, so a re-import
    rewrites a field only when the spec's value changed since (an edit on Launchpad or by the
    PTL is not undone by an unchanged spec).
    """

    blueprint = models.OneToOneField(Blueprint, on_delete=models.CASCADE, related_name="spec")
    source = models.CharField(
        max_length=300,
        help_text="Path in the specs repository, e.g. specs/ocata/ssl-certmonger.rst.",
    )
    linked_by = models.CharField(max_length=10, choices=SpecLink.choices)
    digest = models.CharField(
        max_length=64, help_text="SHA-256 of the spec's title and sections as imported."
    )
    sections = models.JSONField(
        default=list, blank=True, help_text="[{title, line, body}]: the top-level sections."
    )
    people = models.JSONField(
        default=list,
        blank=True,
        help_text="[{role, raw, token, username}]: as the spec names them; username when matched.",
    )
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="spec_contributions"
    )
    dependencies = models.JSONField(
        default=list,
        blank=True,
        help_text="[{kind, text, line, name, url, reverse, linked}]: the Dependencies section.",
    )
    gerrit = models.JSONField(
        default=list, blank=True, help_text="[{line, change_id, url, number}]: prototype changes."
    )
    imported = models.JSONField(
        default=dict, blank=True, help_text="What the import last wrote to the blueprint."
    )
    updated_at = models.DateTimeField(default=timezone.now, help_text="Last changed by an import.")

    class Meta:
        ordering = ["source", "id"]
        verbose_name = "blueprint spec"
        constraints = [
            models.CheckConstraint(
                condition=Q(linked_by__in=SpecLink.values), name="blueprint_spec_linked_by_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.source


class FFEPolicy(models.Model):
    """A project's feature-freeze-exception rules for one series, decided by the PTL.

    The TripleO team wanted to be "more conservative at the end of the cycle": a request
    cut-off date and an optional cap on the number of FFEs granted.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ffe_policies")
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="ffe_policies")
    request_cutoff = models.DateField(
        null=True, blank=True, help_text="Last day an FFE may be requested."
    )
    max_granted = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Cap on FFEs granted in the series; empty for none."
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["series__position", "project__name"]
        verbose_name = "FFE policy"
        verbose_name_plural = "FFE policies"
        constraints = [
            models.UniqueConstraint(fields=["project", "series"], name="ffe_policy_unique"),
        ]

    def __str__(self) -> str:
        return f"FFE policy {self.project}/{self.series.name}"


class FFEStatus(models.TextChoices):
    REQUESTED = "Requested"
    GRANTED = "Granted"
    DENIED = "Denied"
    MERGED = "Merged"
    EXPIRED = "Expired"


OPEN_FFE_STATUSES = (FFEStatus.REQUESTED, FFEStatus.GRANTED)
# An FFE that was granted counts against the cap whatever happened to it afterwards.
GRANTED_FFE_STATUSES = (FFEStatus.GRANTED, FFEStatus.MERGED, FFEStatus.EXPIRED)


class FFERisk(models.TextChoices):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class FeatureFreezeException(models.Model):
    """A request to merge a blueprint's work after feature freeze.

    Requested → Granted | Denied (by the PTL); Granted → Merged | Expired (merge-by passed).
    """

    blueprint = models.ForeignKey(Blueprint, on_delete=models.CASCADE, related_name="ffes")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ffes_requested"
    )
    requested_on = models.DateField(default=timezone.localdate)
    rationale = models.TextField()
    risk = models.CharField(max_length=10, choices=FFERisk.choices, default=FFERisk.MEDIUM)
    risk_notes = models.TextField(blank=True)
    merge_by = models.DateField(help_text="Date the work must have merged by (not after RC1).")
    status = models.CharField(max_length=10, choices=FFEStatus.choices, default=FFEStatus.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ffes_decided",
    )
    decided_on = models.DateField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True, help_text="Merged or expired on.")

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = "feature-freeze exception"
        constraints = [
            models.CheckConstraint(
                condition=Q(merge_by__gte=F("requested_on")), name="ffe_merge_by_after_request"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FFEStatus.values), name="ffe_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=FFEStatus.REQUESTED) | Q(decided_on__isnull=False),
                name="ffe_decided_has_date",
            ),
            # One live request per blueprint: a second one would be decided twice.
            models.UniqueConstraint(
                fields=["blueprint"],
                condition=Q(status__in=["Requested", "Granted"]),
                name="ffe_one_open_per_blueprint",
            ),
        ]

    def __str__(self) -> str:
        return f"FFE {self.blueprint.name} ({self.status})"


class ReviewStatus(models.TextChoices):
    """A Gerrit change's status, as Gerrit spells it (ChangeInfo ``status``)."""

    NEW = "NEW"
    MERGED = "MERGED"
    ABANDONED = "ABANDONED"


class ReviewLinkSource(models.TextChoices):
    """Where a change names a blueprint: a commit-message footer, or its ``bp/`` topic."""

    FOOTER = "footer"
    TOPIC = "topic"


class Review(models.Model):
    """A Gerrit change implementing one or more blueprints (read by the Gerrit sync).

    A change names its blueprints in commit-message footers (``Implements: blueprint x``,
    ``Partial-Implements: …``) or a ``bp/<name>`` topic, and may name several: the link to
    blueprints is many-to-many (``ReviewLink``).
    """

    number = models.PositiveIntegerField(unique=True, help_text="Gerrit's change number.")
    repository = models.CharField(
        max_length=200, help_text="Gerrit project, e.g. openstack/tripleo-heat-templates."
    )
    branch = models.CharField(max_length=200)
    subject = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices)
    owner = models.CharField(max_length=200, blank=True, help_text="The owner's name.")
    owner_username = models.CharField(max_length=150, blank=True)
    created = models.DateTimeField()
    updated = models.DateTimeField()
    submitted = models.DateTimeField(null=True, blank=True, help_text="When it merged.")
    url = models.URLField(max_length=500)
    change_id = models.CharField(max_length=64, blank=True, verbose_name="Change-Id")
    topic = models.CharField(max_length=200, blank=True)
    blueprints = models.ManyToManyField(
        Blueprint, through="ReviewLink", related_name="reviews", blank=True
    )

    class Meta:
        ordering = ["-updated", "-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values), name="review_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status == ReviewStatus.NEW


class ReviewLink(models.Model):
    """``review`` implements (part of) ``blueprint``, as its footer or topic says."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="links")
    blueprint = models.ForeignKey(Blueprint, on_delete=models.CASCADE, related_name="review_links")
    partial = models.BooleanField(default=False, help_text="Partial-Implements.")
    source = models.CharField(max_length=10, choices=ReviewLinkSource.choices)

    class Meta:
        ordering = ["review_id", "blueprint_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "blueprint"], name="review_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.review.number} → {self.blueprint}"


class LaunchpadRecord(models.Model):
    """What Launchpad said of a blueprint at the last sync that wrote it.

    The base of the sync's three-way merge: a field Launchpad changed since is taken when
    the planner still holds this value, and reported as a conflict (the planner's value
    kept) when it was edited here too. Values are in the planner's terms (usernames, the
    target event's key, ISO dates, work items as ``[title, status, assignee, milestone]``).
    """

    blueprint = models.OneToOneField(
        Blueprint, on_delete=models.CASCADE, related_name="launchpad_record"
    )
    values = models.JSONField(default=dict)
    self_link = models.CharField(max_length=500, blank=True)
    synced_at = models.DateTimeField()

    class Meta:
        ordering = ["blueprint_id"]

    def __str__(self) -> str:
        return f"Launchpad record of {self.blueprint}"


class SyncSource(models.TextChoices):
    LAUNCHPAD = "launchpad"
    GERRIT = "gerrit"


class SyncState(models.Model):
    """The last successful sync of a project (and series) from Launchpad or Gerrit: when, what
    it found, and the ETags of the entries it read (sent back as ``If-None-Match``)."""

    source = models.CharField(max_length=10, choices=SyncSource.choices)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sync_states")
    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, null=True, blank=True, related_name="sync_states"
    )
    url = models.CharField(max_length=500, help_text="What was read.")
    synced_at = models.DateTimeField()
    summary = models.TextField(blank=True)
    counts = models.JSONField(default=dict, blank=True)
    etags = models.JSONField(
        default=dict, blank=True, help_text="URL → [ETag, body] of entries read with an ETag."
    )

    class Meta:
        ordering = ["-synced_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "project", "series"], name="sync_state_unique"
            ),
            models.UniqueConstraint(
                fields=["source", "project"],
                condition=Q(series__isnull=True),
                name="sync_state_unique_without_series",
            ),
            models.CheckConstraint(
                condition=Q(source__in=SyncSource.values), name="sync_state_source_valid"
            ),
        ]

    def __str__(self) -> str:
        series = f"/{self.series.name}" if self.series_id else ""
        return f"{self.source} sync of {self.project}{series} at {self.synced_at:%Y-%m-%d %H:%M}"
