"""Options of list requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .enums import ArtifactTypeQueryParam, OrderByField, SortOrder


@dataclass
class ListOptions:
    """Options for listing objects.

    Attributes:
        limit: Page size: the most objects one request returns.
        order_by: Field to order by.
        is_asc: Whether to order in ascending order. Defaults to True.
        next_page_token: Token of the page to fetch; updated from each response.
        artifact_type_param: Type of artifact to filter by.
    """

    limit: int | None = None
    order_by: OrderByField | None = None
    is_asc: bool = True
    next_page_token: str | None = None
    artifact_type_param: ArtifactTypeQueryParam | None = None

    @classmethod
    def order_by_creation_time(cls, **kwargs: Any) -> ListOptions:
        """Options ordering by creation time."""
        return cls(order_by=OrderByField.CREATE_TIME, **kwargs)

    @classmethod
    def order_by_update_time(cls, **kwargs: Any) -> ListOptions:
        """Options ordering by last update time."""
        return cls(order_by=OrderByField.LAST_UPDATE_TIME, **kwargs)

    @classmethod
    def order_by_id(cls, **kwargs: Any) -> ListOptions:
        """Options ordering by ID."""
        return cls(order_by=OrderByField.ID, **kwargs)

    @classmethod
    def artifact_type(cls, artifact_type: ArtifactTypeQueryParam, **kwargs: Any) -> ListOptions:
        """Options filtering by artifact type."""
        return cls(artifact_type_param=artifact_type, **kwargs)

    def as_query(self) -> dict[str, str]:
        """The list request's query parameters, in the upstream client's order."""
        query: dict[str, str] = {}
        if self.limit is not None:
            query["pageSize"] = str(self.limit)
        if self.order_by is not None:
            query["orderBy"] = OrderByField(self.order_by).value
        query["sortOrder"] = (SortOrder.ASC if self.is_asc else SortOrder.DESC).value
        if self.next_page_token is not None:
            query["nextPageToken"] = self.next_page_token
        if self.artifact_type_param is not None:
            query["artifactType"] = ArtifactTypeQueryParam(self.artifact_type_param).value
        return query
