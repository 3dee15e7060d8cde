"""Block actions: card buttons (Claim / Unclaim / Rate / Details), the stage menu, list paging and
item menus, the reminders' "Open list" button, and the Home tab's buttons.

Every listener acks at once; the work runs lazily. A repeated delivery of the same click (same
action_ts) changes nothing the second time. Answers are ephemeral: via response_url on messages,
as a DM from the Home tab or a modal (they carry no response_url).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App

from hiring_bot.deps import Deps
from hiring_bot.domain import applications, claims, idempotency, reviews
from hiring_bot.domain.errors import InvalidInput
from hiring_bot.slack import ids
from hiring_bot.slack.listeners import surfaces
from hiring_bot.slack.listeners.router import CommandRouter
from hiring_bot.slack.listeners.workflow import (
    Actor,
    apply_change,
    authorize,
    guarded,
    replier,
)

STALE_BUTTON = "That button is out of date; run `/intern list` or open the card again."


@dataclass(frozen=True)
class Click:
    """The parts of a block_actions payload the handlers use."""

    body: dict[str, Any]
    user_id: str
    action_id: str
    value: str | None
    trigger_id: str
    once_key: str
    in_modal: bool
    channel_id: str | None  # the channel of the message clicked; None in a modal or Home

    @staticmethod
    def of(body: dict[str, Any]) -> Click:
        action = (body.get("actions") or [{}])[0]
        selected = action.get("selected_option") or {}
        value = selected.get("value") if selected else action.get("value")
        user_id = str((body.get("user") or {}).get("id") or "")
        action_id = str(action.get("action_id") or "")
        view = body.get("view") or {}
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
            "channel_id"
        )
        return Click(
            body=body,
            user_id=user_id,
            action_id=action_id,
            value=value if isinstance(value, str) else None,
            trigger_id=str(body.get("trigger_id") or ""),
            once_key=idempotency.action_key(
                action_ts=str(action.get("action_ts") or ""),
                user_id=user_id,
                action_id=action_id,
            ),
            in_modal=view.get("type") == "modal",
            channel_id=channel if isinstance(channel, str) and channel else None,
        )


def _ref(click: Click) -> int:
    ref = ids.parse_ref(click.value)
    if ref is None:
        raise InvalidInput(STALE_BUTTON)
    return ref


class Handlers:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def actor(self, click: Click, ref: int | None, what: str) -> Actor:
        return authorize(
            self.deps, user_id=click.user_id, action=f"button {what}", application_id=ref
        )

    def change(
        self,
        click: Click,
        reply: Callable[..., None],
        change: Callable[[Any], applications.Outcome],
        *,
        quiet: bool = False,
    ) -> None:
        outcome = apply_change(self.deps, change, once_key=click.once_key)
        if outcome is not None and not quiet:
            reply(outcome.message)

    def claim(self, click: Click, reply: Callable[..., None], ref: int, *, quiet: bool) -> None:
        actor = self.actor(click, ref, "claim")
        now = self.deps.clock.now()
        self.change(
            click,
            reply,
            lambda s: claims.claim(s, ref=ref, actor=actor.user_id, now=now),
            quiet=quiet,
        )

    def unclaim(self, click: Click, reply: Callable[..., None], ref: int) -> None:
        actor = self.actor(click, ref, "unclaim")
        now = self.deps.clock.now()
        self.change(
            click,
            reply,
            lambda s: claims.unclaim(
                s, ref=ref, actor=actor.user_id, is_admin=actor.is_admin, now=now
            ),
        )

    def rate(self, click: Click, client: Any, ref: int, *, home: bool = False) -> None:
        actor = self.actor(click, ref, "rate")
        if click.in_modal:
            # From inside a modal (the details view) the form is pushed on top of it.
            self._push_rating(click, client, actor, ref)
            return
        surfaces.open_rating_modal(
            self.deps,
            client,
            actor,
            trigger_id=click.trigger_id,
            ref=ref,
            home=home,
            channel=click.channel_id,
        )

    def _push_rating(self, click: Click, client: Any, actor: Actor, ref: int) -> None:
        pusher = _Pusher(client)
        surfaces.open_rating_modal(self.deps, pusher, actor, trigger_id=click.trigger_id, ref=ref)

    def details(self, click: Click, client: Any, ref: int) -> None:
        actor = self.actor(click, ref, "details")
        target = _Pusher(client) if click.in_modal else client
        surfaces.open_details_modal(self.deps, target, actor, trigger_id=click.trigger_id, ref=ref)

    def stage(self, click: Click, reply: Callable[..., None]) -> None:
        parsed = ids.parse_stage_option(click.value)
        if parsed is None:
            raise InvalidInput(STALE_BUTTON)
        ref, target = parsed
        actor = self.actor(click, ref, "stage")
        now = self.deps.clock.now()
        self.change(
            click,
            reply,
            lambda s: reviews.move_stage(s, ref=ref, actor=actor.user_id, target=target, now=now),
        )

    def page(self, click: Click, respond: Any, step: int) -> None:
        query, page = surfaces.decode_state(click.value)
        actor = self.actor(click, None, "list")
        text, blocks = surfaces.list_message(self.deps, actor, query=query, page=page + step)
        respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=True)

    def open_list(self, click: Click, reply: Callable[..., None]) -> None:
        actor = self.actor(click, None, "open list")
        text, blocks = surfaces.list_message(self.deps, actor, query=click.value or "")
        reply(text, blocks)

    def publish_home(self, client: Any, actor: Actor) -> None:
        surfaces.publish_home(self.deps, client, user_id=actor.user_id, access=actor.access)


class _Pusher:
    """A client whose views_open pushes onto the open modal instead (same arguments)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def views_open(self, *, trigger_id: str, view: dict[str, Any]) -> Any:
        return self._client.views_push(trigger_id=trigger_id, view=view)


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    handlers = Handlers(deps)

    def ack_now(ack: Ack) -> None:
        ack()

    def listen(
        action_id: str, body_fn: Callable[[Click, Any, Any, Callable[..., None]], None]
    ) -> None:
        def lazy(body: dict[str, Any], client: Any, respond: Any) -> None:
            click = Click.of(body)
            reply = replier(body, respond, client, click.user_id)
            guarded(f"action {action_id}", reply, lambda: body_fn(click, client, respond, reply))

        # Bolt tells lazy functions apart by name (in FaaS mode); keep the names unique.
        lazy.__name__ = lazy.__qualname__ = f"on_{action_id}"
        app.action(action_id)(ack=ack_now, lazy=[lazy])

    listen(ids.CLAIM, lambda c, cl, r, reply: handlers.claim(c, reply, _ref(c), quiet=False))
    listen(ids.UNCLAIM, lambda c, cl, r, reply: handlers.unclaim(c, reply, _ref(c)))
    listen(ids.RATE, lambda c, cl, r, reply: handlers.rate(c, cl, _ref(c)))
    listen(ids.DETAILS, lambda c, cl, r, reply: handlers.details(c, cl, _ref(c)))
    listen(ids.STAGE_SELECT, lambda c, cl, r, reply: handlers.stage(c, reply))
    listen(ids.LIST_NEXT, lambda c, cl, r, reply: handlers.page(c, r, +1))
    listen(ids.LIST_PREV, lambda c, cl, r, reply: handlers.page(c, r, -1))
    listen(ids.OPEN_LIST, lambda c, cl, r, reply: handlers.open_list(c, reply))

    def item_menu(click: Click, client: Any, respond: Any, reply: Callable[..., None]) -> None:
        parsed = ids.parse_item_menu(click.value)
        if parsed is None:
            raise InvalidInput(STALE_BUTTON)
        verb, ref = parsed
        if verb == ids.VERB_CLAIM:
            handlers.claim(click, reply, ref, quiet=False)
        elif verb == ids.VERB_RATE:
            handlers.rate(click, client, ref)
        else:
            handlers.details(click, client, ref)

    listen(ids.LIST_ITEM_MENU, item_menu)

    def home_claim(click: Click, client: Any, respond: Any, reply: Callable[..., None]) -> None:
        ref = _ref(click)
        handlers.claim(click, reply, ref, quiet=True)
        handlers.publish_home(client, handlers.actor(click, ref, "home"))

    listen(ids.HOME_CLAIM, home_claim)
    listen(ids.HOME_RATE, lambda c, cl, r, reply: handlers.rate(c, cl, _ref(c), home=True))
    listen(ids.OPEN_HOME_ITEM, lambda c, cl, r, reply: handlers.details(c, cl, _ref(c)))
