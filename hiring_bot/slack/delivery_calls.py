"""One outbox row, one Slack Web API call: what each kind sends and how it finds its card.

``send`` raises ``Wait`` when a row cannot go yet (its card is not posted), ``Permanent`` when it
never can (its application or attachment is gone), and lets Slack's and the network's errors
through for ``hiring_bot.slack.delivery`` to classify.

Posting calls go through ``posting_client``: the same token and host as ``deps.client`` but no
retry handlers, so each attempt is one call and a lost answer reaches the outbox, which looks for
the message (by its metadata: event type + outbox id) before posting again. Read-only lookups
keep ``deps.client`` and its retries.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from hiring_bot.db.models import Application, Attachment
from hiring_bot.outbox import OutboxKind, card_version

if TYPE_CHECKING:
    from hiring_bot.deps import Deps

CARD_EVENT_TYPE = "hiring_bot_card"
# Every other chat.postMessage of the outbox (reminders, DMs, thread messages).
MESSAGE_EVENT_TYPE = "hiring_bot_message"
HISTORY_PAGES = 10
# Slack's clock and ours may disagree a little; look a bit before the row was written.
HISTORY_SLACK = timedelta(minutes=10)
# files.delete answers these when the file is already gone: the wanted outcome, not a failure.
_FILE_GONE = frozenset({"file_not_found", "file_deleted"})


@dataclass
class Claimed:
    """A row this deliverer has locked, as read in the claiming transaction."""

    id: int
    kind: str
    application_id: int | None
    channel: str | None
    payload: dict[str, Any]
    created_at: datetime
    attempts: int
    # A previous attempt may have posted (it reached the send and never learnt the outcome).
    maybe_posted: bool
    reached_send: bool = False
    history_checked: bool = False
    # Cards: the version (``hiring_bot.outbox.card_version``) read just before rendering.
    rendered_version: int | None = None


@dataclass(frozen=True)
class Sent:
    channel: str | None
    ts: str | None
    file_id: str | None = None


class Wait(Exception):
    """Not deliverable yet (a thread reply whose card is not posted); try again shortly."""


class Permanent(Exception):
    """Can never be delivered (its application or attachment is gone)."""


class Superseded(Exception):
    """A card update with nothing to do: Slack already shows this version or a newer one."""


_posting_clients: weakref.WeakKeyDictionary[WebClient, WebClient] = weakref.WeakKeyDictionary()
_posting_lock = threading.Lock()


def posting_client(client: WebClient) -> WebClient:
    """``client`` without retry handlers: a post that fails is reported, never re-sent unseen."""
    with _posting_lock:
        found = _posting_clients.get(client)
        if found is None:
            found = _posting_clients[client] = WebClient(
                token=client.token,
                base_url=client.base_url,
                timeout=client.timeout,
                ssl=client.ssl,
                proxy=client.proxy,
                headers=dict(client.headers),
                retry_handlers=[],
            )
        return found


def send(deps: Deps, claimed: Claimed) -> Sent:
    if claimed.kind == OutboxKind.CARD_POST:
        return _post_card(deps, claimed)
    if claimed.kind == OutboxKind.CARD_UPDATE:
        return _update_card(deps, claimed)
    if claimed.kind == OutboxKind.MESSAGE:
        return _post_message(deps, claimed)
    if claimed.kind == OutboxKind.FILE_SHARE:
        return _share_file(deps, claimed)
    if claimed.kind == OutboxKind.FILE_DELETE:
        return _delete_file(deps, claimed)
    raise Permanent(f"unknown outbox kind {claimed.kind!r}")


def _render(deps: Deps, application_id: int | None) -> tuple[str, list[dict[str, Any]]]:
    from hiring_bot.slack.cards import render_card  # the review workflow owns the card's content

    if application_id is None:
        raise Permanent("card row without an application")
    with deps.sessions() as session:
        if session.get(Application, application_id) is None:
            raise Permanent("application no longer exists")
        return render_card(session, application_id, settings=deps.settings)


def _post_card(deps: Deps, claimed: Claimed) -> Sent:
    channel = deps.settings.hiring_channel
    if not channel:
        raise Wait("HIRING_CHANNEL is not set")
    if claimed.maybe_posted:
        ts = _find_posted(deps, claimed, channel=channel, event_type=CARD_EVENT_TYPE)
        claimed.history_checked = True
        if ts is not None:
            claimed.rendered_version = int(claimed.payload.get("floor", -1))
            return Sent(channel, ts)
    claimed.rendered_version = _current_version(deps, claimed.application_id)
    text, blocks = _render(deps, claimed.application_id)
    deps.pacer.wait(channel)
    claimed.reached_send = True
    response = posting_client(deps.client).chat_postMessage(
        channel=channel,
        text=text,
        blocks=blocks,
        unfurl_links=False,
        unfurl_media=False,
        metadata={
            "event_type": CARD_EVENT_TYPE,
            "event_payload": {"outbox_id": claimed.id, "ref": claimed.application_id},
        },
    )
    return Sent(str(response["channel"]), str(response["ts"]))


def _current_version(deps: Deps, application_id: int | None) -> int:
    if application_id is None:
        return 0
    with deps.sessions() as session:
        return card_version(session, application_id=application_id)[0]


def _find_posted(
    deps: Deps,
    claimed: Claimed,
    *,
    channel: str,
    event_type: str,
    thread_ts: str | None = None,
) -> str | None:
    """The ts of this row's message if an earlier attempt posted it, found by its metadata
    (``event_type`` + outbox id) in the channel's history or, with ``thread_ts``, the thread.
    """
    oldest = f"{max((claimed.created_at - HISTORY_SLACK).timestamp(), 0):.6f}"
    cursor: str | None = None
    for _page in range(HISTORY_PAGES):
        args: dict[str, Any] = {
            "channel": channel,
            "oldest": oldest,
            "limit": 200,
            "include_all_metadata": True,
        }
        if cursor:
            args["cursor"] = cursor
        if thread_ts is not None:
            response = deps.client.conversations_replies(ts=thread_ts, **args)
        else:
            response = deps.client.conversations_history(**args)
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if (
                metadata.get("event_type") == event_type
                and payload.get("outbox_id") == claimed.id
                and payload.get("ref") in (None, claimed.application_id)
            ):
                return str(message["ts"])
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return None
    return None


def _card_location(deps: Deps, application_id: int | None) -> tuple[str, str]:
    if application_id is None:
        raise Permanent("row without an application")
    with deps.sessions() as session:
        application = session.get(Application, application_id)
        if application is None:
            raise Permanent("application no longer exists")
        if application.card_channel is None or application.card_ts is None:
            raise Wait("waiting for the card to be posted")
        return application.card_channel, application.card_ts


def _update_card(deps: Deps, claimed: Claimed) -> Sent:
    channel, ts = _card_location(deps, claimed.application_id)
    assert claimed.application_id is not None
    with deps.sessions() as session:
        # Read before rendering: the render is then at least this version, never older.
        current, shown = card_version(session, application_id=claimed.application_id)
    if shown >= current:
        raise Superseded("Slack already shows this version of the card or a newer one")
    claimed.rendered_version = current
    text, blocks = _render(deps, claimed.application_id)
    claimed.reached_send = True
    posting_client(deps.client).chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    return Sent(channel, ts)


def _post_message(deps: Deps, claimed: Claimed) -> Sent:
    payload = claimed.payload
    thread_ts: str | None = None
    channel = claimed.channel or ""
    thread_of = payload.get("thread_of_application")
    if thread_of is not None:
        card_channel, thread_ts = _card_location(deps, int(thread_of))
        channel = channel or card_channel
    if not channel:
        raise Permanent("message without a channel")
    if channel[0] in "UW":
        # Idempotent: the same DM channel however often it is asked for.
        opened = posting_client(deps.client).conversations_open(users=channel)
        channel = str(opened["channel"]["id"])
    if claimed.maybe_posted:
        ts = _find_posted(
            deps, claimed, channel=channel, event_type=MESSAGE_EVENT_TYPE, thread_ts=thread_ts
        )
        claimed.history_checked = True
        if ts is not None:
            return Sent(channel, ts)
    args: dict[str, Any] = {
        "channel": channel,
        "text": payload.get("text") or " ",
        "metadata": {"event_type": MESSAGE_EVENT_TYPE, "event_payload": {"outbox_id": claimed.id}},
    }
    if payload.get("blocks"):
        args["blocks"] = payload["blocks"]
    if thread_ts is not None:
        args["thread_ts"] = thread_ts
    deps.pacer.wait(channel)
    claimed.reached_send = True
    response = posting_client(deps.client).chat_postMessage(**args)
    return Sent(str(response["channel"]), str(response["ts"]))


def _share_file(deps: Deps, claimed: Claimed) -> Sent:
    channel, thread_ts = _card_location(deps, claimed.application_id)
    attachment_id = claimed.payload.get("attachment_id")
    with deps.sessions() as session:
        attachment = (
            session.get(Attachment, int(attachment_id)) if attachment_id is not None else None
        )
        if attachment is None:
            raise Permanent("attachment no longer exists")
        data, filename = attachment.data, attachment.filename or "attachment"
        title = {"resume": "Resume", "cover_letter": "Cover letter"}.get(attachment.role, filename)
    if claimed.maybe_posted:
        found = _find_shared_file(deps, claimed, channel, thread_ts, (title, filename))
        claimed.history_checked = True
        if found is not None:
            return Sent(channel, thread_ts, file_id=found)
    claimed.reached_send = True
    response = posting_client(deps.client).files_upload_v2(
        channel=channel, thread_ts=thread_ts, content=data, filename=filename, title=title
    )
    files = response.get("files") or [response.get("file") or {}]
    file_id = files[0].get("id") if files and isinstance(files[0], dict) else None
    return Sent(channel, thread_ts, file_id=str(file_id) if file_id else None)


def _find_shared_file(
    deps: Deps, claimed: Claimed, channel: str, thread_ts: str, file_title: tuple[str, str]
) -> str | None:
    """The id of the file an earlier attempt shared into the card's thread, if it did.

    Uploads carry no metadata: a file of this title and name in the thread counts as this row's.
    The residual risk: one application with two attachments of the same role and file name.
    """
    oldest = f"{max((claimed.created_at - HISTORY_SLACK).timestamp(), 0):.6f}"
    response = deps.client.conversations_replies(
        channel=channel, ts=thread_ts, oldest=oldest, limit=200
    )
    for message in response.get("messages") or []:
        for shared in message.get("files") or []:
            if (
                isinstance(shared, dict)
                and shared.get("title") == file_title[0]
                and shared.get("name") == file_title[1]
                and shared.get("id")
            ):
                return str(shared["id"])
    return None


def _delete_file(deps: Deps, claimed: Claimed) -> Sent:
    file_id = str(claimed.payload.get("file_id") or "")
    if not file_id:
        raise Permanent("file delete without a file id")
    claimed.reached_send = True
    try:
        posting_client(deps.client).files_delete(file=file_id)
    except SlackApiError as error:
        if error.response.status_code != 200 or error.response.get("error") not in _FILE_GONE:
            raise
    return Sent(None, None, file_id=file_id)
