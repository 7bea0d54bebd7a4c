"""Roles a Person can hold over an Area through a Post, and what each role is for.

Permissions come from posts only: these groups are what the rules in rules.py are built from.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from muling.places.levels import Level


class Role(models.TextChoices):
    BUILDING_HEAD = "building_head", _("楼长")
    PART_TIME_GRID_WORKER = "part_time_grid_worker", _("兼职网格员（微网格员）")
    GRID_WORKER = "grid_worker", _("专职网格员")
    GRID_CHIEF = "grid_chief", _("网格长")
    PARTY_INSTRUCTOR = "party_instructor", _("党建指导员")
    COMMUNITY_CADRE = "community_cadre", _("社区工作者（包网格干部）")
    GRID_BRANCH_SECRETARY = "grid_branch_secretary", _("网格党支部书记")
    COMMUNITY_SECRETARY = "community_secretary", _("社区党委书记")
    STREET_SECRETARY = "street_secretary", _("街道党工委书记")
    COUNTY_SECRETARY = "county_secretary", _("县级党委书记")
    DEPARTMENT_STAFF = "department_staff", _("部门工作人员")
    PROFESSIONAL_GRID_WORKER = "professional_grid_worker", _("专业网格员")
    JUDGE = "judge", _("法官")
    PROSECUTOR = "prosecutor", _("检察官")
    POLICE = "police", _("警官")
    LAWYER = "lawyer", _("律师")
    PROPERTY_STAFF = "property_staff", _("物业人员")
    # The six participation posts of M11 (居民参与岗位).
    VOLUNTEER_GRID_WORKER = "volunteer_grid_worker", _("兼职网格员（志愿岗）")
    PROPERTY_ASSISTANT = "property_assistant", _("物业助理员")
    ENVIRONMENT_KEEPER = "environment_keeper", _("环境管护员")
    TRAFFIC_GUARD = "traffic_guard", _("交通劝导员")
    FOOD_SUPERVISOR = "food_supervisor", _("食品监督员")
    POLICY_PROMOTER = "policy_promoter", _("政策宣传员")


# The level of area a role is held over. Several roles accept more than one level.
ROLE_LEVELS: dict[str, set[int]] = {
    Role.BUILDING_HEAD: {Level.BUILDING},
    Role.PART_TIME_GRID_WORKER: {Level.GRID},
    Role.GRID_WORKER: {Level.GRID},
    Role.GRID_CHIEF: {Level.GRID},
    Role.PARTY_INSTRUCTOR: {Level.COMMUNITY, Level.GRID},
    Role.COMMUNITY_CADRE: {Level.GRID},
    Role.GRID_BRANCH_SECRETARY: {Level.GRID},
    Role.COMMUNITY_SECRETARY: {Level.COMMUNITY},
    Role.STREET_SECRETARY: {Level.STREET},
    Role.COUNTY_SECRETARY: {Level.DISTRICT},
    Role.DEPARTMENT_STAFF: {Level.CITY, Level.DISTRICT, Level.STREET},
    Role.PROFESSIONAL_GRID_WORKER: {Level.GRID},
    Role.JUDGE: {Level.GRID, Level.COMMUNITY},
    Role.PROSECUTOR: {Level.GRID, Level.COMMUNITY},
    Role.POLICE: {Level.GRID, Level.COMMUNITY},
    Role.LAWYER: {Level.GRID, Level.COMMUNITY},
    Role.PROPERTY_STAFF: {Level.COMMUNITY, Level.GRID},
    Role.VOLUNTEER_GRID_WORKER: {Level.GRID, Level.BUILDING},
    Role.PROPERTY_ASSISTANT: {Level.GRID, Level.BUILDING},
    Role.ENVIRONMENT_KEEPER: {Level.GRID, Level.BUILDING},
    Role.TRAFFIC_GUARD: {Level.GRID, Level.COMMUNITY},
    Role.FOOD_SUPERVISOR: {Level.GRID, Level.COMMUNITY},
    Role.POLICY_PROMOTER: {Level.GRID, Level.BUILDING},
}

# Roles that must name the department or company they work for.
DEPARTMENT_ROLES = {Role.DEPARTMENT_STAFF, Role.PROFESSIONAL_GRID_WORKER, Role.PROPERTY_STAFF}

SECRETARY_ROLES = {
    Role.GRID_BRANCH_SECRETARY,
    Role.COMMUNITY_SECRETARY,
    Role.STREET_SECRETARY,
    Role.COUNTY_SECRETARY,
}

# Staff who look after residents of their area: they may see the area's residents and households.
RESIDENT_CARE_ROLES = {
    Role.BUILDING_HEAD,
    Role.PART_TIME_GRID_WORKER,
    Role.GRID_WORKER,
    Role.GRID_CHIEF,
    Role.COMMUNITY_CADRE,
    Role.PARTY_INSTRUCTOR,
    *SECRETARY_ROLES,
}

# Staff who see the organisation of their area (areas, posts, contacts) but not residents' records.
ORGANISATION_ROLES = RESIDENT_CARE_ROLES | {
    Role.DEPARTMENT_STAFF,
    Role.PROFESSIONAL_GRID_WORKER,
    Role.JUDGE,
    Role.PROSECUTOR,
    Role.POLICE,
    Role.LAWYER,
    Role.PROPERTY_STAFF,
}

VOLUNTEER_ROLES = {
    Role.VOLUNTEER_GRID_WORKER,
    Role.PROPERTY_ASSISTANT,
    Role.ENVIRONMENT_KEEPER,
    Role.TRAFFIC_GUARD,
    Role.FOOD_SUPERVISOR,
    Role.POLICY_PROMOTER,
}

# Who may manage posts and staff records of their subtree.
STAFF_MANAGER_ROLES = {
    Role.COMMUNITY_SECRETARY,
    Role.STREET_SECRETARY,
    Role.COUNTY_SECRETARY,
    Role.GRID_CHIEF,
}
