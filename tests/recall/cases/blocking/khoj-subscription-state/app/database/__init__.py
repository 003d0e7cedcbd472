"""Data access helpers shared by the routers."""

from datetime import datetime, timedelta, timezone

from app.database.models import Subscription

TRIAL_DAYS = 14


def state_of(subscription: Subscription) -> str:
    if subscription is None:
        return "invalid"
    now = datetime.now(tz=timezone.utc)
    if subscription.kind == Subscription.Kind.TRIAL:
        if subscription.renews_at is None:
            subscription.renews_at = subscription.created_at + timedelta(days=TRIAL_DAYS)
            subscription.save()
        return "expired" if now > subscription.renews_at else "trial"
    if subscription.recurring and subscription.renews_at > now:
        return "subscribed"
    return "unsubscribed" if subscription.renews_at and subscription.renews_at > now else "expired"


async def subscription_state(user) -> str:
    subscription = await Subscription.objects.filter(user=user).afirst()
    return state_of(subscription)
