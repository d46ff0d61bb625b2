"""The Graph half's route table: every path below /v1.0 and the handler that answers it.

Owner routes are matched against the rest of a `/me/...`, `/users/{id}/...` or `/drives/{id}/...` path; top
routes against the whole path below /v1.0. Patterns are regular expressions (case-insensitive, named groups
become the handler's third argument); the first route whose pattern matches and whose methods include the
request's wins, and a path some route matches with another method is answered 405.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from . import (
    calendar,
    calendar_actions,
    contacts,
    delta,
    directory_more,
    directory_writes,
    drive,
    event_attachments,
    group_calendar,
    group_content,
    group_content_writes,
    mail,
    mail_folders,
    mail_send,
    mailbox_settings,
    mailbox_writes,
    pim_writes,
    places,
    planner_writes,
    sites,
    sites_writes,
    tasks,
    teams,
    todo_writes,
    uploads,
    users,
)
from .envelope import Ctx, Owner, Result

__all__ = ["OWNER_ROUTES", "TOP_ROUTES", "OwnerHandler", "Route", "TopHandler"]

OwnerHandler = Callable[[Ctx, Owner, dict[str, str]], Result]
TopHandler = Callable[[Ctx, dict[str, str]], Result]
H = TypeVar("H", OwnerHandler, TopHandler)


@dataclass(frozen=True)
class Route(Generic[H]):
    """One route: methods, a path pattern and a handler."""

    methods: frozenset[str]
    pattern: re.Pattern[str]
    handler: H


def _route(methods: str, path: str, handler: H) -> Route[H]:
    return Route(frozenset(methods.split()), re.compile("^" + path + "$", re.IGNORECASE), handler)


OWNER_ROUTES: tuple[Route[OwnerHandler], ...] = (
    # First match wins. Fixed segments come first, where a later `{id}` pattern would also take them
    # (mailFolders/{id}/messages/delta is not the message "delta").
    _route(
        "POST",
        r"drive/(?:root:/(?P<path>[^:]+):|items/(?P<pid>[^/:]+):/(?P<name>[^:/]+):)/createUploadSession",
        uploads.create_drive_session,
    ),
    _route(
        "POST", r"messages/(?P<mid>[^/]+)/attachments/createUploadSession", uploads.create_attachment_session
    ),
    _route(
        "POST", r"events/(?P<eid>[^/]+)/attachments/createUploadSession", uploads.create_attachment_session
    ),
    _route("GET", r"drive/root/delta(?:\(token='(?P<token>[^']*)'\))?", delta.drive_delta),
    _route("GET", r"calendarView/delta", delta.event_delta),
    _route("GET", r"mailFolders/(?P<fid>[^/]+)/messages/delta", delta.message_delta),
    _route("GET", r"(?:contactFolders/(?P<fid>[^/]+)/)?contacts/delta", delta.contact_delta),
    # Outlook mail
    _route("GET", r"mailFolders", mail.list_folders),
    _route("GET", r"mailFolders/(?P<fid>[^/]+)", mail.get_folder),
    _route("GET", r"mailFolders/(?P<fid>[^/]+)/childFolders", mail.child_folders),
    _route("GET", r"mailFolders/(?P<pid>[^/]+)/childFolders/(?P<fid>[^/]+)", mail.get_child_folder),
    _route("GET", r"messages", mail.list_messages),
    _route("GET", r"mailFolders/(?P<fid>[^/]+)/messages", mail.folder_messages),
    _route("GET", r"(?:mailFolders/(?P<fid>[^/]+)/)?messages/(?P<mid>[^/]+)", mail.get_message),
    _route("GET", r"messages/(?P<mid>[^/]+)/\$value", mail.message_mime),
    _route("GET", r"messages/(?P<mid>[^/]+)/attachments", mail.list_attachments),
    _route("GET", r"messages/(?P<mid>[^/]+)/attachments/(?P<aid>[^/]+)", mail.get_attachment),
    _route("GET", r"messages/(?P<mid>[^/]+)/attachments/(?P<aid>[^/]+)/\$value", mail.attachment_value),
    _route("POST", r"(?:mailFolders/(?P<fid>[^/]+)/)?messages", mail.create_draft),
    _route("PATCH", r"messages/(?P<mid>[^/]+)", mail.update_message),
    _route("DELETE", r"messages/(?P<mid>[^/]+)", mail.delete_message),
    _route("POST", r"messages/(?P<mid>[^/]+)/(?P<action>move|copy)", mail.move_message),
    _route("POST", r"messages/(?P<mid>[^/]+)/attachments", mail.add_attachment),
    _route("DELETE", r"messages/(?P<mid>[^/]+)/attachments/(?P<aid>[^/]+)", mail.delete_attachment),
    _route("POST", r"mailFolders(?:/(?P<pid>[^/]+)/childFolders)?", mail_folders.create_folder),
    _route("PATCH", r"mailFolders/(?P<fid>[^/]+)", mail_folders.rename_folder),
    _route("DELETE", r"mailFolders/(?P<fid>[^/]+)", mail_folders.delete_folder),
    _route(
        "GET", r"mailFolders/(?P<pid>[^/]+)/childFolders/(?P<fid>[^/]+)/messages", mail.child_folder_messages
    ),
    _route("POST", r"sendMail", mail_send.send_mail),
    _route("POST", r"messages/(?P<mid>[^/]+)/send", mail_send.send_draft),
    _route(
        "POST",
        r"messages/(?P<mid>[^/]+)/(?P<action>createReply|createReplyAll|createForward|reply|replyAll|forward)",
        mail_send.respond,
    ),
    # Outlook calendars
    _route("GET", r"calendars", calendar.list_calendars),
    _route("GET", r"(?:calendar|calendars/(?P<cid>[^/]+))", calendar.get_calendar),
    _route("GET", r"(?:calendar/|calendars/(?P<cid>[^/]+)/)?events", calendar.list_events),
    _route("GET", r"(?:calendar/|calendars/(?P<cid>[^/]+)/)?calendarView", calendar.calendar_view),
    _route("GET", r"(?:calendar/|calendars/(?P<cid>[^/]+)/)?events/(?P<eid>[^/]+)", calendar.get_event),
    _route("GET", r"events/(?P<eid>[^/]+)/instances", calendar.event_instances),
    _route("POST", r"(?:calendar/|calendars/(?P<cid>[^/]+)/)?events", calendar.create_event),
    _route("PATCH", r"events/(?P<eid>[^/]+)", calendar.update_event),
    _route("DELETE", r"events/(?P<eid>[^/]+)", calendar.delete_event),
    _route(
        "POST",
        r"events/(?P<eid>[^/]+)/(?P<action>accept|tentativelyAccept|decline)",
        calendar_actions.respond,
    ),
    _route("POST", r"events/(?P<eid>[^/]+)/cancel", calendar_actions.cancel),
    _route("POST", r"events/(?P<eid>[^/]+)/forward", calendar_actions.forward),
    _route("POST", r"events/(?P<eid>[^/]+)/dismissReminder", calendar_actions.dismiss_reminder),
    _route("POST", r"events/(?P<eid>[^/]+)/snoozeReminder", calendar_actions.snooze_reminder),
    _route("GET", r"events/(?P<eid>[^/]+)/attachments", event_attachments.list_attachments),
    _route("GET", r"events/(?P<eid>[^/]+)/attachments/(?P<aid>[^/]+)", event_attachments.get_attachment),
    _route(
        "GET", r"events/(?P<eid>[^/]+)/attachments/(?P<aid>[^/]+)/\$value", event_attachments.attachment_value
    ),
    _route("POST", r"events/(?P<eid>[^/]+)/attachments", event_attachments.add_attachment),
    _route(
        "DELETE", r"events/(?P<eid>[^/]+)/attachments/(?P<aid>[^/]+)", event_attachments.delete_attachment
    ),
    _route("POST", r"calendars", pim_writes.create_calendar),
    _route("PATCH", r"calendars/(?P<cid>[^/]+)", pim_writes.update_calendar),
    _route("DELETE", r"calendars/(?P<cid>[^/]+)", pim_writes.delete_calendar),
    # Outlook contacts
    _route("GET", r"contacts", contacts.list_contacts),
    _route("GET", r"(?:contactFolders/(?P<fid>[^/]+)/)?contacts/(?P<cid>[^/]+)", contacts.get_contact),
    _route("GET", r"contactFolders", contacts.list_contact_folders),
    _route("GET", r"contactFolders/(?P<fid>[^/]+)", contacts.get_contact_folder),
    _route("GET", r"contactFolders/(?P<fid>[^/]+)/childFolders", contacts.contact_child_folders),
    _route("GET", r"contactFolders/(?P<fid>[^/]+)/contacts", contacts.folder_contacts),
    _route("POST", r"(?:contactFolders/(?P<fid>[^/]+)/)?contacts", contacts.create_contact),
    _route("PATCH", r"contacts/(?P<cid>[^/]+)", contacts.update_contact),
    _route("DELETE", r"contacts/(?P<cid>[^/]+)", contacts.delete_contact),
    _route("POST", r"contactFolders(?:/(?P<pid>[^/]+)/childFolders)?", pim_writes.create_contact_folder),
    _route("PATCH", r"contactFolders/(?P<fid>[^/]+)", pim_writes.update_contact_folder),
    _route("DELETE", r"contactFolders/(?P<fid>[^/]+)", pim_writes.delete_contact_folder),
    # OneDrive
    _route("GET", r"drive", drive.get_drive),
    _route("GET", r"drive/(?:root|items/(?P<iid>[^/:]+)|root:/(?P<path>[^:]+):?)", drive.get_item),
    _route(
        "GET", r"drive/(?:root|items/(?P<iid>[^/:]+)|root:/(?P<path>[^:]+):)/children", drive.list_children
    ),
    _route("GET", r"drive/(?:items/(?P<iid>[^/:]+)|root:/(?P<path>[^:]+):)/content", drive.get_content),
    _route(
        "PUT",
        r"drive/(?:items/(?P<iid>[^/:]+)|root:/(?P<path>[^:]+):|items/(?P<pid>[^/:]+):/(?P<name>[^:/]+):)/content",
        drive.put_content,
    ),
    _route(
        "POST", r"drive/(?:root|items/(?P<iid>[^/:]+)|root:/(?P<path>[^:]+):)/children", drive.create_folder
    ),
    _route("DELETE", r"drive/(?:items/(?P<iid>[^/:]+)|root:/(?P<path>[^:]+):)", drive.delete_item),
    _route("PATCH", r"drive/(?:items/(?P<iid>[^/:]+)|root:/(?P<path>[^:]+):)", drive.update_item),
    # the directory
    _route("GET", r"", users.get_user),
    _route("PATCH", r"", directory_writes.update_user),
    _route("DELETE", r"", directory_writes.delete_user),
    _route("GET", r"memberOf", users.member_of),
    _route("GET", r"directReports", directory_more.direct_reports),
    _route("GET", r"manager", directory_more.manager),
    _route("GET", r"calendarGroups", mailbox_settings.list_calendar_groups),
    _route("GET", r"mailFolders/(?P<fid>[^/]+)/messageRules", mailbox_settings.list_message_rules),
    # To Do and Planner
    _route("GET", r"todo/lists", tasks.list_todo_lists),
    _route("GET", r"todo/lists/(?P<lid>[^/]+)", tasks.get_todo_list),
    _route("GET", r"todo/lists/(?P<lid>[^/]+)/tasks", tasks.todo_tasks),
    # mailbox settings, inbox rules, calendar groups and To Do writes (the writes-mailbox block)
    _route("PATCH", r"mailboxSettings", mailbox_writes.update_mailbox_settings),
    _route(
        "GET", r"mailFolders/(?P<fid>[^/]+)/messageRules/(?P<rid>[^/]+)", mailbox_settings.get_message_rule
    ),
    _route("GET", r"calendarGroups/(?P<gid>[^/]+)", mailbox_settings.get_calendar_group),
    _route("GET", r"todo/lists/(?P<lid>[^/]+)/tasks/(?P<tid>[^/]+)", todo_writes.get_task),
    _route("POST", r"mailFolders/(?P<fid>[^/]+)/messageRules", mailbox_writes.create_message_rule),
    _route(
        "PATCH", r"mailFolders/(?P<fid>[^/]+)/messageRules/(?P<rid>[^/]+)", mailbox_writes.update_message_rule
    ),
    _route(
        "DELETE",
        r"mailFolders/(?P<fid>[^/]+)/messageRules/(?P<rid>[^/]+)",
        mailbox_writes.delete_message_rule,
    ),
    _route("POST", r"calendarGroups", mailbox_writes.create_calendar_group),
    _route("PATCH", r"calendarGroups/(?P<gid>[^/]+)", mailbox_writes.update_calendar_group),
    _route("DELETE", r"calendarGroups/(?P<gid>[^/]+)", mailbox_writes.delete_calendar_group),
    _route("POST", r"todo/lists", todo_writes.create_list),
    _route("PATCH", r"todo/lists/(?P<lid>[^/]+)", todo_writes.update_list),
    _route("DELETE", r"todo/lists/(?P<lid>[^/]+)", todo_writes.delete_list),
    _route("POST", r"todo/lists/(?P<lid>[^/]+)/tasks", todo_writes.create_task),
    _route("PATCH", r"todo/lists/(?P<lid>[^/]+)/tasks/(?P<tid>[^/]+)", todo_writes.update_task),
    _route("DELETE", r"todo/lists/(?P<lid>[^/]+)/tasks/(?P<tid>[^/]+)", todo_writes.delete_task),
    _route("GET", r"planner/plans", tasks.my_plans),
    _route("GET", r"planner/tasks", tasks.my_planner_tasks),
    # SharePoint (the sharepoint block)
    _route("GET", r"followedSites", sites.followed_sites),
    _route("GET", r"drives", sites.user_drives),
)

TOP_ROUTES: tuple[Route[TopHandler], ...] = (
    # groups/delta before groups/{id}.
    _route("GET", r"groups/delta", delta.groups_delta),
    _route("GET", r"users/delta", delta.users_delta),
    _route("GET", r"users", users.list_users),
    _route("GET", r"users/\$count", users.count_users),
    _route("GET", r"groups", users.list_groups),
    _route("GET", r"groups/\$count", users.count_groups),
    _route("GET", r"groups/(?P<gid>[^/$][^/]*)", users.get_group),
    _route("GET", r"groups/(?P<gid>[^/$][^/]*)/(?P<rel>members|owners)", users.group_members),
    _route("POST", r"users", directory_writes.create_user),
    _route("POST", r"groups", directory_writes.create_group),
    _route("PATCH", r"groups/(?P<gid>[^/$][^/]*)", directory_writes.update_group),
    _route("DELETE", r"groups/(?P<gid>[^/$][^/]*)", directory_writes.delete_group),
    _route("POST", r"groups/(?P<gid>[^/$][^/]*)/members/\$ref", directory_writes.add_member),
    _route(
        "DELETE", r"groups/(?P<gid>[^/$][^/]*)/members/(?P<mid>[^/]+)/\$ref", directory_writes.remove_member
    ),
    _route("GET", r"subscribedSkus", directory_more.list_skus),
    _route("GET", r"contacts", directory_more.list_org_contacts),
    _route("GET", r"devices", directory_more.list_devices),
    _route("GET", r"directoryRoles", directory_more.list_directory_roles),
    _route("GET", r"directoryRoles/(?P<rid>[^/]+)/members", directory_more.role_members),
    _route("GET", r"teams", teams.list_teams),
    _route("GET", r"teams/(?P<tid>[^/]+)/channels", teams.list_channels),
    _route("GET", r"teams/(?P<tid>[^/]+)/channels/(?P<cid>[^/]+)/messages", teams.channel_messages),
    _route(
        "GET",
        r"teams/(?P<tid>[^/]+)/channels/(?P<cid>[^/]+)/messages/(?P<mid>[^/]+)/replies",
        teams.message_replies,
    ),
    _route("GET", r"teams/(?P<tid>[^/]+)/members", teams.list_members),
    # group content and Planner
    _route("GET", r"groups/(?P<gid>[^/$][^/]*)/conversations", group_content.list_conversations),
    _route(
        "GET",
        r"groups/(?P<gid>[^/$][^/]*)/conversations/(?P<cid>[^/]+)/threads",
        group_content.conversation_threads,
    ),
    _route("GET", r"groups/(?P<gid>[^/$][^/]*)/threads", group_content.list_threads),
    _route(
        "GET",
        r"groups/(?P<gid>[^/$][^/]*)/(?:conversations/(?P<cid>[^/]+)/)?threads/(?P<tid>[^/]+)/posts",
        group_content.thread_posts,
    ),
    # group conversation writes (group_content_writes.py): delegated Group.ReadWrite.All only
    _route("POST", r"groups/(?P<gid>[^/$][^/]*)/conversations", group_content_writes.create_conversation),
    _route(
        "POST",
        r"groups/(?P<gid>[^/$][^/]*)/(?:conversations/(?P<cid>[^/]+)/)?threads",
        group_content_writes.create_thread,
    ),
    _route(
        "POST",
        r"groups/(?P<gid>[^/$][^/]*)/(?:conversations/(?P<cid>[^/]+)/)?threads/(?P<tid>[^/]+)/reply",
        group_content_writes.reply_to_thread,
    ),
    _route("GET", r"groups/(?P<gid>[^/$][^/]*)/planner/plans", tasks.group_plans),
    _route("GET", r"planner/plans/(?P<pid>[^/]+)", tasks.get_plan),
    _route("GET", r"planner/plans/(?P<pid>[^/]+)/buckets", tasks.plan_buckets),
    _route("GET", r"planner/plans/(?P<pid>[^/]+)/tasks", tasks.plan_tasks),
    # Planner writes (planner_writes.py): PATCH and DELETE need If-Match with the item's current etag.
    _route("POST", r"planner/plans", planner_writes.create_plan),
    _route("PATCH", r"planner/plans/(?P<pid>[^/]+)", planner_writes.update_plan),
    _route("DELETE", r"planner/plans/(?P<pid>[^/]+)", planner_writes.delete_plan),
    _route("POST", r"planner/buckets", planner_writes.create_bucket),
    _route("GET", r"planner/buckets/(?P<bid>[^/]+)", planner_writes.get_bucket),
    _route("PATCH", r"planner/buckets/(?P<bid>[^/]+)", planner_writes.update_bucket),
    _route("DELETE", r"planner/buckets/(?P<bid>[^/]+)", planner_writes.delete_bucket),
    _route("POST", r"planner/tasks", planner_writes.create_task),
    _route("GET", r"planner/tasks/(?P<tid>[^/]+)", planner_writes.get_task),
    _route("PATCH", r"planner/tasks/(?P<tid>[^/]+)", planner_writes.update_task),
    _route("DELETE", r"planner/tasks/(?P<tid>[^/]+)", planner_writes.delete_task),
    # SharePoint (the sharepoint block): sites, drives of sites and groups, lists. `/sites/{id}/drive/...`
    # and `/groups/{id}/drive/...` are the owner routes of the library (router.py, sites.library_owner).
    _route("GET", r"sites", sites.search_sites),
    _route("GET", r"sites/root", sites.root_site),
    _route("GET", r"sites/(?P<sid>[^/]+)", sites.get_site),
    _route("GET", r"sites/(?P<sid>[^/]+)/sites", sites.subsites),
    _route("GET", r"sites/(?P<sid>[^/]+)/drives", sites.site_drives),
    _route("GET", r"sites/(?P<sid>[^/]+)/lists", sites.list_lists),
    _route("GET", r"sites/(?P<sid>[^/]+)/lists/(?P<lid>[^/]+)", sites.get_list),
    _route("GET", r"sites/(?P<sid>[^/]+)/lists/(?P<lid>[^/]+)/items", sites.list_items),
    _route("GET", r"sites/(?P<sid>[^/]+)/lists/(?P<lid>[^/]+)/columns", sites.list_columns),
    # list and list item writes (sites_writes.py): Sites.Manage.All for a list, Sites.ReadWrite.All for items
    _route("POST", r"sites/(?P<sid>[^/]+)/lists", sites_writes.create_list),
    _route("POST", r"sites/(?P<sid>[^/]+)/lists/(?P<lid>[^/]+)/items", sites_writes.create_item),
    _route("GET", r"sites/(?P<sid>[^/]+)/lists/(?P<lid>[^/]+)/items/(?P<iid>[^/]+)", sites_writes.get_item),
    _route(
        "DELETE", r"sites/(?P<sid>[^/]+)/lists/(?P<lid>[^/]+)/items/(?P<iid>[^/]+)", sites_writes.delete_item
    ),
    _route(
        "GET",
        r"sites/(?P<sid>[^/]+)/lists/(?P<lid>[^/]+)/items/(?P<iid>[^/]+)/fields",
        sites_writes.get_item_fields,
    ),
    _route(
        "PATCH",
        r"sites/(?P<sid>[^/]+)/lists/(?P<lid>[^/]+)/items/(?P<iid>[^/]+)/fields",
        sites_writes.update_item_fields,
    ),
    _route("GET", r"groups/(?P<gid>[^/$][^/]*)/sites/root", sites.group_site),
    _route("GET", r"groups/(?P<gid>[^/$][^/]*)/drives", sites.group_drives),
    # group calendars (group_calendar.py) and places (places.py)
    _route("GET", r"groups/(?P<gid>[^/$][^/]*)/calendar", group_calendar.get_group_calendar),
    _route("GET", r"groups/(?P<gid>[^/$][^/]*)/(?:calendar/)?events", group_calendar.list_group_events),
    _route(
        "GET", r"groups/(?P<gid>[^/$][^/]*)/(?:calendar/)?calendarView", group_calendar.group_calendar_view
    ),
    _route(
        "GET",
        r"groups/(?P<gid>[^/$][^/]*)/(?:calendar/)?events/(?P<eid>[^/]+)",
        group_calendar.get_group_event,
    ),
    _route(
        "GET",
        r"groups/(?P<gid>[^/$][^/]*)/(?:calendar/)?events/(?P<eid>[^/]+)/instances",
        group_calendar.group_event_instances,
    ),
    _route("POST", r"groups/(?P<gid>[^/$][^/]*)/(?:calendar/)?events", group_calendar.create_group_event),
    _route(
        "PATCH",
        r"groups/(?P<gid>[^/$][^/]*)/(?:calendar/)?events/(?P<eid>[^/]+)",
        group_calendar.update_group_event,
    ),
    _route(
        "DELETE",
        r"groups/(?P<gid>[^/$][^/]*)/(?:calendar/)?events/(?P<eid>[^/]+)",
        group_calendar.delete_group_event,
    ),
    _route("GET", r"places/microsoft\.graph\.room", places.list_rooms),
    _route("GET", r"places/microsoft\.graph\.roomList", places.list_room_lists),
    _route("GET", r"places/(?P<address>[^/]+)/microsoft\.graph\.roomList/rooms", places.room_list_rooms),
)
