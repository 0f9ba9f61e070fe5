"""Control API, webhooks side: Automations of a site and the deliveries Wix made."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from .builders import new_automation
from .control import json_body
from .gateway import store
from .models import Automation

bp = Blueprint("sandbox_control_hooks", __name__, url_prefix="/_sandbox")


def _dispatcher():
    return current_app.extensions["wix_sandbox_dispatcher"]


def automation_doc(a: Automation) -> dict:
    return {
        "id": a.id,
        "siteId": a.site_id,
        "name": a.name,
        "trigger": a.trigger,
        "action": a.action,
        "url": a.url,
        "bodyStyle": a.body_style,
        "customKeys": a.custom_keys,
        "active": a.active,
    }


@bp.get("/sites/<site_id>/automations")
def list_automations(site_id: str):
    st = store()
    with st.lock:
        found = [a for a in st.automations.values() if a.site_id == site_id]
        return jsonify({"automations": [automation_doc(a) for a in found]})


@bp.post("/sites/<site_id>/automations")
def add_automation(site_id: str):
    data = json_body()
    automation = new_automation(store(), store().site(site_id), data)
    return jsonify(automation_doc(automation)), 201


@bp.delete("/automations/<automation_id>")
def delete_automation(automation_id: str):
    with store().lock:
        store().automations.pop(automation_id, None)
    return jsonify({})


@bp.get("/deliveries")
def deliveries():
    docs = _dispatcher().snapshot(include_body=request.args.get("body", "1") != "0")
    for key in ("kind", "siteId", "eventType", "status", "url"):
        if request.args.get(key):
            docs = [d for d in docs if d.get(key) == request.args[key]]
    return jsonify({"deliveries": docs, "idle": _dispatcher().idle()})


@bp.delete("/deliveries")
def clear_deliveries():
    _dispatcher().clear()
    return jsonify({})
