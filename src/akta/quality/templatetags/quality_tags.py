"""Template helpers of the quality pages."""
from django import template

from akta.quality import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def quality_flags(context):
    user = context.get("user")
    return {"manager": permissions.may_manage(user), "reports": permissions.may_read_reports(user),
            "reporter": permissions.may_report(user)}
