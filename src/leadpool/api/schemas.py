"""Shapes of the API's answers."""

from datetime import datetime

from ninja import Schema


class Named(Schema):
    id: int
    name: str


class StatusOut(Schema):
    key: str
    label: str
    kind: str


class CustomerSummary(Schema):
    id: int
    name: str
    phone: str | None
    status: StatusOut
    owner: str | None
    projects: list[str]
    first_source: str | None
    latest_source: str | None
    created_at: datetime
    last_contact_at: datetime | None


class LeadOut(Schema):
    id: int
    channel: str
    source: str
    capture_point: str
    campaign: str
    projects: list[str]
    answers: dict
    received_at: datetime
    is_test: bool


class CustomerDetail(CustomerSummary):
    phones: list[str]
    emails: list[str]
    groups: list[str]
    leads: list[LeadOut]


class Page(Schema):
    count: int
    page: int
    page_size: int
    results: list[CustomerSummary]


class Error(Schema):
    detail: str
