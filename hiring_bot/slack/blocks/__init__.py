"""Pure Block Kit builders: read models in, Block Kit dicts out. No Slack calls, no DB, no I/O."""

from hiring_bot.domain.reminder_views import (
    DecisionNudge,
    Digest,
    StaleClaimsDM,
    WaitingItem,
    WindowReminder,
)
from hiring_bot.slack.blocks.card import (
    assignment_dm_text,
    build_application_card,
    build_assignment_dm,
    card_text,
)
from hiring_bot.slack.blocks.details import (
    build_application_details,
    build_details_modal,
    details_text,
)
from hiring_bot.slack.blocks.help import SUBCOMMANDS, build_help, help_text
from hiring_bot.slack.blocks.home import build_home
from hiring_bot.slack.blocks.list_page import build_list_message, list_text
from hiring_bot.slack.blocks.rating import build_rating_modal, parse_rating_submission
from hiring_bot.slack.blocks.reminders import (
    build_decision_nudge,
    build_digest,
    build_stale_claims_dm,
    build_window_reminder,
    decision_nudge_text,
    digest_text,
    render_reminder,
    stale_claims_text,
    window_reminder_text,
)
from hiring_bot.slack.blocks.stats import build_stats_message, stats_text
from hiring_bot.slack.blocks.views import (
    ApplicationCard,
    ApplicationDetails,
    AttachmentInfo,
    AuditLine,
    HomeView,
    ListPage,
    RatingModalInput,
    RatingValues,
    RecentRating,
    WindowDeadline,
    WindowSummary,
    WindowValues,
)
from hiring_bot.slack.blocks.window_modal import build_window_modal, parse_window_submission
from hiring_bot.slack.blocks.windows import (
    build_windows_message,
    window_saved_text,
    windows_text,
)

__all__ = [
    "SUBCOMMANDS",
    "ApplicationCard",
    "ApplicationDetails",
    "AttachmentInfo",
    "AuditLine",
    "DecisionNudge",
    "Digest",
    "HomeView",
    "ListPage",
    "RatingModalInput",
    "RatingValues",
    "RecentRating",
    "StaleClaimsDM",
    "WaitingItem",
    "WindowDeadline",
    "WindowReminder",
    "WindowSummary",
    "WindowValues",
    "assignment_dm_text",
    "build_application_card",
    "build_application_details",
    "build_assignment_dm",
    "build_decision_nudge",
    "build_details_modal",
    "build_digest",
    "build_help",
    "build_home",
    "build_list_message",
    "build_rating_modal",
    "build_stale_claims_dm",
    "build_stats_message",
    "build_window_modal",
    "build_window_reminder",
    "build_windows_message",
    "card_text",
    "decision_nudge_text",
    "details_text",
    "digest_text",
    "help_text",
    "list_text",
    "parse_rating_submission",
    "parse_window_submission",
    "render_reminder",
    "stale_claims_text",
    "stats_text",
    "window_reminder_text",
    "window_saved_text",
    "windows_text",
]
