"""files.* methods: the two-step external upload and delete, answered as Slack does."""

from __future__ import annotations

from typing import Any

from hiring_bot.sandbox.standin.state import StandinState


class FilesMethods(StandinState):
    def _m_files_getUploadURLExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        file_id = self._next_id("F")
        self.files[file_id] = {
            "id": file_id,
            "name": str(p["filename"]),
            "length": int(p["length"]),
            "data": None,
            "shared": False,
        }
        return {"ok": True, "upload_url": f"{self.base}upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        entries = p["files"]
        out = []
        for entry in entries if isinstance(entries, list) else []:
            file_id = entry.get("id") if isinstance(entry, dict) else None
            record = self.files.get(str(file_id))
            if record is None or record["data"] is None:
                return {"ok": False, "error": "file_not_found"}
            record.update(
                shared=True,
                title=entry.get("title") or record["name"],
                channel=p.get("channel_id"),
                thread_ts=p.get("thread_ts"),
                initial_comment=p.get("initial_comment"),
            )
            out.append({"id": record["id"], "title": record["title"], "name": record["name"]})
        if not out:
            return {"ok": False, "error": "invalid_arguments"}
        channel = p.get("channel_id")
        if channel:
            # Slack shares the files as a message from the bot (in the thread, when given).
            shared: dict[str, Any] = {"text": p.get("initial_comment") or "", "files": out}
            if p.get("thread_ts"):
                shared["thread_ts"] = str(p["thread_ts"])
            ts = self._next_ts()
            self.messages[(str(channel), ts)] = {**self._message(shared, ts), "files": out}
        return {"ok": True, "files": out}

    def _m_files_delete(self, p: dict[str, Any]) -> dict[str, Any]:
        # Slack's answers: ok once, then file_deleted for the same id; file_not_found for an id
        # it never had. The record stays (marked deleted) so tests can see what was removed.
        record = self.files.get(str(p["file"]))
        if record is None:
            return {"ok": False, "error": "file_not_found"}
        if record.get("deleted"):
            return {"ok": False, "error": "file_deleted"}
        record.update(deleted=True, data=None)
        return {"ok": True}
