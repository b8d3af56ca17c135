"""`/api/v1/alerts` (rules), `/notifications` (the bell, its SSE stream, the delivery log)
and `/notifications/channels` (apprise URLs with a test button)."""

from __future__ import annotations

from flask import Response, current_app, jsonify
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag

from tradedeck.alerts import delivery, services, stream
from tradedeck.alerts.schemas import (
    AlertRuleIn,
    AlertRuleList,
    AlertRuleOut,
    AlertRulePatch,
    AlertRulePath,
    ChannelIn,
    ChannelList,
    ChannelOut,
    ChannelPath,
    ChannelTestResult,
    DeliveryList,
    DeliveryOut,
    NotificationList,
    NotificationOut,
    NotificationPath,
    NotificationQuery,
    NotificationsMarked,
    NotificationStreamQuery,
)
from tradedeck.api.errors import ErrorBody
from tradedeck.market.limits import limit_per_user

bp = APIBlueprint(
    "alerts_api",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="alerts", description="Alert rules, notifications and channels")],
    abp_responses={"400": ErrorBody, "401": ErrorBody, "404": ErrorBody},
)
TEST_TITLE = "TradeDeck test notification"


@bp.get("/alerts", responses={"200": AlertRuleList})
def list_rules() -> Response:
    rules = services.list_rules(current_user.id)
    return jsonify(AlertRuleList(rules=[AlertRuleOut.of(r) for r in rules]).model_dump())


@bp.post("/alerts", responses={"201": AlertRuleOut, "409": ErrorBody})
def create_rule(body: AlertRuleIn) -> tuple[Response, int]:
    """A rule: `price_cross` (symbol, level), `line_cross` (drawing_id), `pattern`
    (optional watchlist_id), `signal_score` (threshold), `order_filled`, `cash_below`
    (threshold). Evaluated by the worker."""
    spec = services.RuleSpec(**body.model_dump())
    return jsonify(AlertRuleOut.of(services.create_rule(current_user.id, spec)).model_dump()), 201


@bp.patch("/alerts/<int:rule_id>", responses={"200": AlertRuleOut})
def patch_rule(path: AlertRulePath, body: AlertRulePatch) -> Response:
    rule = services.set_rule_enabled(current_user.id, path.rule_id, body.enabled)
    return jsonify(AlertRuleOut.of(rule).model_dump())


@bp.delete("/alerts/<int:rule_id>", responses={"204": None})
def delete_rule(path: AlertRulePath) -> tuple[str, int]:
    services.delete_rule(current_user.id, path.rule_id)
    return "", 204


@bp.get("/notifications", responses={"200": NotificationList})
def list_notifications(query: NotificationQuery) -> Response:
    """The bell: newest first, with the unread count."""
    found = services.notifications(current_user.id, query.limit, query.after)
    body = NotificationList(
        unread=services.unread_count(current_user.id),
        notifications=[NotificationOut.of(n) for n in found],
    )
    return jsonify(body.model_dump())


@bp.post("/notifications/read", responses={"200": NotificationsMarked})
def mark_all_read() -> Response:
    marked = services.mark_read(current_user.id)
    return jsonify(
        NotificationsMarked(
            marked=marked, unread=services.unread_count(current_user.id)
        ).model_dump()
    )


@bp.post("/notifications/<int:notification_id>/read", responses={"200": NotificationsMarked})
def mark_read(path: NotificationPath) -> Response:
    marked = services.mark_read(current_user.id, path.notification_id)
    return jsonify(
        NotificationsMarked(
            marked=marked, unread=services.unread_count(current_user.id)
        ).model_dump()
    )


@bp.get("/notifications/stream", responses={"200": None, "429": ErrorBody})
def notification_stream(query: NotificationStreamQuery) -> Response:
    """Server-Sent Events: a `notification` event (with `unread`) for each new notification
    after `after` (default: from now), heartbeats, and `end` after a few minutes."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    config = app.config["TRADEDECK"]
    max_secs = float(app.config.get(stream.MAX_KEY, 300))
    user_id = current_user.id
    release = stream.notify_slots(app).acquire(
        str(user_id),
        per_user=config.notify_stream_max_per_user,
        per_process=config.notify_stream_max_per_process,
        max_secs=max_secs,
    )
    try:
        after = query.after if query.after is not None else services.latest_id(user_id)
        response = Response(
            stream.events(app, user_id, after, max_secs), mimetype="text/event-stream"
        )
    except BaseException:
        release()
        raise
    response.call_on_close(release)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response


@bp.get("/notifications/deliveries", responses={"200": DeliveryList})
def deliveries() -> Response:
    """The delivery log: each notification per channel, sent / pending / failed."""
    found = services.delivery_log(current_user.id)
    return jsonify(DeliveryList(deliveries=[DeliveryOut.of(d) for d in found]).model_dump())


@bp.get("/notifications/channels", responses={"200": ChannelList})
def list_channels() -> Response:
    found = services.list_channels(current_user.id)
    return jsonify(ChannelList(channels=[ChannelOut.of(c) for c in found]).model_dump())


@bp.post("/notifications/channels", responses={"201": ChannelOut, "409": ErrorBody})
def create_channel(body: ChannelIn) -> tuple[Response, int]:
    """A channel: any apprise URL (ntfy, json/webhook, mailto, tgram, discord, slack …)."""
    channel = services.create_channel(current_user.id, **body.model_dump())
    return jsonify(ChannelOut.of(channel).model_dump()), 201


@bp.delete("/notifications/channels/<int:channel_id>", responses={"204": None})
def delete_channel(path: ChannelPath) -> tuple[str, int]:
    services.delete_channel(current_user.id, path.channel_id)
    return "", 204


@bp.post(
    "/notifications/channels/<int:channel_id>/test",
    responses={"200": ChannelTestResult, "429": ErrorBody},
)
@limit_per_user("fetch_rate_limit", "channel_test")
def test_channel(path: ChannelPath) -> Response:
    """Send a test message now (no retries, no quiet hours) and say whether it arrived
    (FETCH_RATE_LIMIT per user: each test is an outgoing request)."""
    channel = services.owned_channel(current_user.id, path.channel_id)
    result = delivery.send(channel.url, TEST_TITLE, f"Channel {channel.name} works.")
    return jsonify(ChannelTestResult(ok=result.ok, error=result.error).model_dump())
