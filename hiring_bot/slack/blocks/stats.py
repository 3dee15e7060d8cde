"""`/intern stats [window]`: funnel, reviewer load, leniency vs the team mean, disagreements."""

from __future__ import annotations

from hiring_bot.domain.stats import MIN_RATINGS_FOR_LENIENCY, Stats
from hiring_bot.slack.blocks._kit import (
    SECTION_TEXT,
    Block,
    context,
    esc,
    fallback,
    header,
    mention,
    section,
)


def lines_capped(title: str, lines: list[str], limit: int = SECTION_TEXT) -> str:
    """`title` + as many whole lines as fit in `limit`, then `and N more`."""
    text = title
    for i, line in enumerate(lines):
        more = f"\n_and {len(lines) - i} more_"
        if len(text) + 1 + len(line) + len(more) > limit and i < len(lines) - 1:
            return text + more
        if len(text) + 1 + len(line) > limit:
            return text + more
        text += "\n" + line
    return text


def _scope(stats: Stats) -> str:
    return esc(stats.window_name, 150) if stats.window_name else "all windows"


def build_stats_message(stats: Stats) -> list[Block]:
    total = sum(n for _, n in stats.funnel)
    blocks: list[Block] = [header("Hiring stats"), context(f"Scope: {_scope(stats)}")]
    funnel = [f"• {stage.label}: *{count}*" for stage, count in stats.funnel]
    blocks.append(section(lines_capped(f"*Funnel* ({total} applications)", funnel)))

    load = [
        f"• {mention(r.user_id)} — {r.claimed} claimed, {r.rated} rated"
        for r in stats.reviewer_load
    ]
    blocks.append(section(lines_capped("*Reviewer load*", load or ["_no reviewers yet_"])))

    mean = ""
    if stats.team_mean is not None:
        mean = f" (team mean {stats.team_mean:.1f}, n={stats.team_count})"
    leniency = [
        f"• {mention(r.user_id)} — mean {r.mean:.1f} (n={r.count}, {_versus_team(r.delta)})"
        for r in stats.leniency
    ]
    empty = "_not enough ratings yet_"
    if stats.scores_limited:
        empty = "_none yet: rate applications to compare your scores with the team's_"
    blocks.append(section(lines_capped(f"*Leniency*{mean}", leniency or [empty])))
    if any(r.delta is None for r in stats.leniency):
        blocks.append(
            context(
                f"A reviewer is compared with the team from {MIN_RATINGS_FOR_LENIENCY} ratings "
                "up: fewer say more about the applications than about the reviewer."
            )
        )

    disagreements = [
        f"• #{d.ref} {esc(d.name, 100, empty='(no name)')} — scores {d.min_score} to {d.max_score}"
        for d in stats.disagreements
    ]
    blocks.append(
        section(
            lines_capped(
                "*Ratings that disagree by 2+ points*", disagreements or ["_none_ :handshake:"]
            )
        )
    )
    if stats.scores_limited:
        blocks.append(
            context(
                "Scores count only the applications you have rated, so nobody's ratings show "
                "before you give yours."
            )
        )
    return blocks


def _versus_team(delta: float | None) -> str:
    if delta is None:
        return "too few ratings to compare"
    rounded = round(delta, 1) + 0.0  # -0.04 reads +0.0, not -0.0
    return f"{rounded:+.1f} vs team"


def stats_text(stats: Stats) -> str:
    total = sum(n for _, n in stats.funnel)
    funnel = ", ".join(f"{stage.label} {count}" for stage, count in stats.funnel if count)
    return fallback(f"Hiring stats for {_scope(stats)}: {total} applications ({funnel or 'none'})")
