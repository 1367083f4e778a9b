"""The unit directory (danh bạ đơn vị): every unit, read-only, filterable, paginated.

Every signed-in user may read it: choosing recipients and reading a sender's name need the whole
tree, and nothing in it is confidential. Changes go through organizations' actions (admin for now).
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from ioffice.api.base import ActiveMembershipMixin
from ioffice.api.serializers import UnitFilterSerializer, UnitSerializer
from organizations.models import SchoolLevel, Unit, UnitKind

_FILTERS = [
    OpenApiParameter("kind", OpenApiTypes.STR, enum=UnitKind.values, description="Unit kind."),
    OpenApiParameter("school_level", OpenApiTypes.STR, enum=SchoolLevel.values, description="School level."),
    OpenApiParameter("parent", OpenApiTypes.INT, description="Only the direct children of this unit id."),
    OpenApiParameter("enrolled", OpenApiTypes.BOOL, description="Uses the e-office (true) or paper only (false)."),
]


@extend_schema_view(
    list=extend_schema(operation_id="units_list", parameters=_FILTERS, tags=["units"]),
    retrieve=extend_schema(operation_id="units_retrieve", tags=["units"]),
)
class UnitViewSet(ActiveMembershipMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    queryset = Unit.objects.order_by("path")

    def get_queryset(self) -> QuerySet[Unit]:
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        filters = UnitFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        for field in ("kind", "school_level", "enrolled"):
            if wanted.get(field) is not None:
                queryset = queryset.filter(**{field: wanted[field]})
        if wanted.get("parent") is not None:
            queryset = queryset.filter(parent_id=wanted["parent"])
        return queryset
