"""What the demo holds, built from the field reports in ../shared/seeds/.

Place and organization names are real (厦门市, 开元街道, 四三九九网络股份有限公司 …);
codes below the districts and every polygon are illustrative, and every person
is invented. Chinese names here are data, not interface text.
"""

# The one password of every demo staff account. Residents log in with a one-time code.
DEMO_PASSWORD = "linli-demo-2026"
# What the accounts table shows instead of a resident's password (load_demo translates it).
ONE_TIME_CODE = "(one-time code)"


def login_url(host="127.0.0.1", port="8000"):
    return f"http://{host}:{port}/"


LOGIN_URL = login_url()

CITY = ("3502", "厦门市")
DISTRICTS = [
    ("350203", "思明区"),
    ("350205", "海沧区"),
    ("350206", "湖里区"),
    ("350211", "集美区"),
    ("350212", "同安区"),
    ("350213", "翔安区"),
]
# (district code, street code, name)
STREETS = [
    ("350203", "350203001", "开元街道"),
    ("350203", "350203002", "中华街道"),
    ("350206", "350206001", "江头街道"),
]

# 开元街道's twelve communities on a 4 × 3 lattice of polygons: code suffix, name, (column, row).
KAIYUAN = "350203001"
KAIYUAN_BOX = (118.090, 24.460, 118.120, 24.480)  # west, south, east, north (WGS84)
KAIYUAN_COMMUNITIES = [
    ("001", "坑内社区", (1, 1)),
    ("002", "溪岸社区", (3, 1)),
    ("003", "美仁社区", (2, 1)),
    ("004", "西边社区", (0, 1)),
    ("005", "深田社区", (1, 0)),
    ("006", "湖滨一社区", (0, 2)),
    ("007", "湖滨二社区", (1, 2)),
    ("008", "湖滨三社区", (2, 2)),
    ("009", "湖滨四社区", (3, 2)),
    ("010", "湖滨五社区", (0, 0)),
    ("011", "文屏社区", (2, 0)),
    ("012", "凤屿社区", (3, 0)),
]
# The community split into 15 grids (5 columns × 3 rows), like 南关社区's 15 grid units.
GRID_COMMUNITY = "350203001001"
GRID_COLUMNS, GRID_ROWS = 5, 3
NUMERALS = "一二三四五六七八九十"


def grid_name(number):
    """第一网格 … 第十五网格."""
    if number <= 10:
        numeral = NUMERALS[number - 1]
    else:
        numeral = "十" + NUMERALS[number - 11]
    return f"第{numeral}网格"


# Communities without polygons: (street code, code, name).
OTHER_COMMUNITIES = [
    ("350203002", "350203002001", "文安社区"),
    ("350203002", "350203002002", "大同社区"),
    ("350206001", "350206001001", "吕厝社区"),
    ("350206001", "350206001002", "台湾山社区"),
]

# 开元街道's communities with a practice station (the rest show up as uncovered).
KAIYUAN_STATIONS = ["坑内社区", "溪岸社区", "美仁社区", "西边社区", "深田社区", "湖滨一社区", "湖滨二社区", "湖滨三社区"]

NEW_ECONOMIC = ["new_economic_org"]
NEW_SOCIAL = ["new_social_org"]
NEW_BUSINESS = ["new_business_form"]


def org(name, kind, area, new_sectors=(), children=()):
    """One organization node: area is an area code; children are nested org() nodes."""
    return {"name": name, "kind": kind, "area": area, "new_sectors": list(new_sectors), "children": list(children)}


def _community_federations(names_and_codes, extra=None):
    extra = extra or {}
    return [org(f"{name}妇联", "womens_federation", code, children=extra.get(name, ())) for code, name in names_and_codes]


KAIYUAN_CODES = [(KAIYUAN + suffix, name) for suffix, name, _cell in KAIYUAN_COMMUNITIES]
GRID_ONE = GRID_COMMUNITY + "001"

# "市区两级共7个社会组织妇联": the city's and each district's social-organization federation, with the
# 302 women's social organizations between them (every one under a federation: full coverage).
SOCIAL_ORG_THEMES = [
    "巾帼家庭教育", "女性创业", "爱心妈妈公益", "妇女儿童心理健康", "婚姻家庭辅导", "巾帼法律援助", "女性健康促进",
    "巾帼养老服务", "儿童关爱", "巾帼文化艺术", "女子舞蹈", "女性书画", "巾帼手工编织", "巾帼茶艺", "邻里互助",
    "巾帼环保", "社区营造", "阅读推广", "巾帼助残", "女性职业发展", "新就业女性关爱", "巾帼应急救援",
]
SOCIAL_ORG_FORMS = ["协会", "服务中心", "促进会", "服务社", "研究会", "志愿者协会"]
# (area code, federation name, how many social organizations): 302 in all.
SOCIAL_ORG_SHARES = [
    ("3502", "厦门市社会组织妇联", 26), ("350203", "思明区社会组织妇联", 78), ("350206", "湖里区社会组织妇联", 62),
    ("350205", "海沧区社会组织妇联", 34), ("350211", "集美区社会组织妇联", 44), ("350212", "同安区社会组织妇联", 30),
    ("350213", "翔安区社会组织妇联", 28),
]
# Named in the seed and kept by name (思明区社会组织妇联's chair leads the 蓝天救援队).
NAMED_SOCIAL_ORGS = [
    ("厦门市思明区蓝天救援队", "350203"), ("思明区大同社会工作服务中心", "350203002"),
    ("思明区巾帼家庭教育服务中心", KAIYUAN), ("思明区爱心妈妈公益协会", "350203"), ("思明区女性创业者协会", "350203"),
]


def _social_orgs(area, count):
    """`count` social organizations named after the place, a theme and a form, in name order."""
    place = "厦门市" if area == "3502" else dict(DISTRICTS)[area]
    named = [(name, code) for name, code in NAMED_SOCIAL_ORGS if area == "350203"]
    names = [name for name, _code in named]
    themes = [(theme, form) for form in SOCIAL_ORG_FORMS for theme in SOCIAL_ORG_THEMES]
    for theme, form in themes:
        if len(names) >= count:
            break
        name = f"{place}{theme}{form}"
        if name not in names:
            names.append(name)
    codes = dict(named)
    return [org(name, "social_org", codes.get(name, area), NEW_SOCIAL) for name in sorted(names)]


# "每个区成立两个头部企业妇联": two head enterprises of each district with a federation of their own
# (思明区's and 湖里区's include internet firms of the industry federation).
HEAD_ENTERPRISES = {
    "350203": ["厦门中山路百货集团有限公司", "厦门鹭江文旅发展有限公司"],
    "350206": ["厦门湖里港航物流集团有限公司", "厦门五缘湾科技园发展有限公司"],
    "350205": ["厦门海沧港务集团有限公司", "厦门海沧生物医药产业园有限公司"],
    "350211": ["厦门集美软件园发展有限公司", "厦门杏林湾商贸集团有限公司"],
    "350212": ["厦门同安食品工业集团有限公司", "厦门同安轻工发展有限公司"],
    "350213": ["厦门翔安航空港物流有限公司", "厦门翔安光电产业园有限公司"],
}


def _head_enterprises(area):
    return [org(name, "enterprise", area, NEW_ECONOMIC, children=[org(f"{name}妇联", "womens_federation", area)])
            for name in HEAD_ENTERPRISES[area]]


# "每个镇街组建3支妇建工作指导员小队".
SQUAD_NUMERALS = ["一", "二", "三"]


def _squads(street, code):
    return [org(f"{street}妇建工作指导员第{n}小队", "instructor_squad", code) for n in SQUAD_NUMERALS]


SOCIAL_ORG_FEDERATIONS = {
    area: org(name, "womens_federation", area, children=_social_orgs(area, count))
    for area, name, count in SOCIAL_ORG_SHARES
}
SOCIAL_ORG_COUNT = sum(count for _area, _name, count in SOCIAL_ORG_SHARES)

# "聚合40余家影响力较大的互联网企业": the five with their own federation above, and these.
INTERNET_MEMBERS = [(f"厦门{name}", "350206" if index % 3 else "350203") for index, name in enumerate([
    "网宿科技有限公司", "云脉技术有限公司", "美亚柏科信息股份有限公司", "易联众信息技术股份有限公司", "游家网络科技有限公司",
    "趣店科技有限公司", "咪咕动漫有限公司", "飞鱼科技股份有限公司", "点触科技股份有限公司", "光趣网络科技有限公司",
    "极致互动网络科技有限公司", "简单一点网络科技有限公司", "淘金网络科技有限公司", "雷霆互动网络有限公司",
    "安胜网络科技有限公司", "服云信息科技有限公司", "海峡人才网络资讯有限公司", "小鱼网信息科技有限公司",
    "同程旅游网络科技有限公司", "商集网络科技有限公司", "纵横集团网络科技有限公司", "快商通科技股份有限公司",
    "云知声智能科技有限公司", "科拓通讯技术股份有限公司", "市民卡科技有限公司", "立林科技股份有限公司",
    "盈趣科技股份有限公司", "四信通信科技有限公司", "中资源网络服务有限公司", "南讯软件科技有限公司",
    "蝉羽网络科技有限公司", "乐游网络科技有限公司", "青鸟网络科技有限公司", "渊亭信息科技有限公司",
    "大白科技有限公司", "星耀互动网络科技有限公司", "随手记网络科技有限公司",
])]

# The first business-district federation; its chair also chairs 文安社区妇联.
BUSINESS_DISTRICT = org(
    "中山路商圈", "business_district", "350203002", NEW_BUSINESS, children=[
        org("中山路商圈妇联", "womens_federation", "350203002", children=[
            org("中山路商圈妇女微家", "women_micro_home", "350203002"),
        ]),
    ],
)

WOMENS_FEDERATIONS = org(
    "厦门市妇联", "womens_federation", "3502",
    children=[
        org("思明区妇联", "womens_federation", "350203", children=[
            org("开元街道妇联", "womens_federation", KAIYUAN, children=_community_federations(
                KAIYUAN_CODES,
                extra={"坑内社区": [
                    org("坑内社区妇女之家", "women_home", GRID_COMMUNITY),
                    org("东区小区妇女微家", "women_micro_home", GRID_ONE),
                ]},
            ) + _squads("开元街道", KAIYUAN)),
            org("中华街道妇联", "womens_federation", "350203002", children=[
                org("文安社区妇联", "womens_federation", "350203002001", children=[
                    org("文安社区妇女之家", "women_home", "350203002001"),
                ]),
                org("大同社区妇联", "womens_federation", "350203002002"),
                BUSINESS_DISTRICT,  # the street's federation guides the district's own
                *_squads("中华街道", "350203002"),
            ]),
            # 思明区's share of the city's 302 women's social organizations (SOCIAL_ORG_FEDERATIONS).
            SOCIAL_ORG_FEDERATIONS["350203"],
            *_head_enterprises("350203"),
        ]),
        org("湖里区妇联", "womens_federation", "350206", children=[
            org("江头街道妇联", "womens_federation", "350206001", children=_community_federations(
                [("350206001001", "吕厝社区"), ("350206001002", "台湾山社区")]
            ) + _squads("江头街道", "350206001")),
            SOCIAL_ORG_FEDERATIONS["350206"],
            *_head_enterprises("350206"),
        ]),
        *[org(f"{district}妇联", "womens_federation", code,
              children=[SOCIAL_ORG_FEDERATIONS[code], *_head_enterprises(code)])
          for code, district in DISTRICTS if code not in ("350203", "350206")],
        SOCIAL_ORG_FEDERATIONS["3502"],
        # Fujian's first internet-industry federation (2022), 40-odd enterprises; each has its own.
        org("厦门市互联网行业妇联", "womens_federation", "3502", children=[
            org(name, "enterprise", area, NEW_ECONOMIC, children=[org(f"{name}妇联", "womens_federation", area)])
            for name, area in [
                ("四三九九网络股份有限公司", "350203"),
                ("厦门美图网科技有限公司", "350203"),
                ("厦门美柚股份有限公司", "350203"),
                ("厦门吉比特网络技术股份有限公司", "350203"),
                ("厦门亿联网络技术股份有限公司", "350206"),
            ]
        ] + [org(name, "enterprise", area, NEW_ECONOMIC) for name, area in INTERNET_MEMBERS]),
        org("厦门市爱心妈妈巾帼志愿服务队", "volunteer_team", "3502", NEW_BUSINESS),
    ],
)

FOUR_COLOUR_TEAMS = ["红色宣讲团", "绿色先锋团", "橙色暖心团", "银色智囊团"]  # 四色帮帮团

CIV_CENTERS = [
    org("思明区新时代文明实践中心", "civ_center", "350203", children=[
        org("开元街道新时代文明实践所", "civ_center", KAIYUAN, children=[
            org(f"{name}新时代文明实践站", "civ_center", code, children=(
                [org(team, "volunteer_team", code) for team in FOUR_COLOUR_TEAMS] if name == "坑内社区" else ()
            ))
            for code, name in KAIYUAN_CODES if name in KAIYUAN_STATIONS
        ]),
        org("中华街道新时代文明实践所", "civ_center", "350203002", children=[
            org("文安社区新时代文明实践站", "civ_center", "350203002001"),
        ]),
    ]),
    org("湖里区新时代文明实践中心", "civ_center", "350206", children=[
        org("江头街道新时代文明实践所", "civ_center", "350206001", children=[
            org("吕厝社区新时代文明实践站", "civ_center", "350206001001"),
            org("台湾山社区新时代文明实践站", "civ_center", "350206001002"),
        ]),
    ]),
    *[org(f"{district}新时代文明实践中心", "civ_center", code)
      for code, district in [("350205", "海沧区"), ("350211", "集美区"), ("350212", "同安区"), ("350213", "翔安区")]],
]

DEPARTMENTS = [
    org("厦门市委文明办", "department", "3502"),
    org("厦门市市政园林局", "department", "3502"),
    org("厦门市城市管理行政执法局", "department", "3502"),
    org("厦门水务集团有限公司", "department", "3502"),
    org("国网厦门供电公司", "department", "3502"),
    org("厦门华润燃气有限公司", "department", "3502"),
    org("厦门市公安局", "department", "3502", children=[
        org("厦门市公安局思明分局", "department", "350203", children=[
            org("开元派出所", "department", KAIYUAN),
        ]),
    ]),
    org("湖里区市场监督管理局", "department", "350206"),
]

PARTY = [
    org("坑内社区党委", "party", GRID_COMMUNITY, children=[
        org("坑内社区东区小区党支部", "party", GRID_ONE),
    ]),
]

ORGANIZATION_TREES = [WOMENS_FEDERATIONS, *CIV_CENTERS, *DEPARTMENTS, *PARTY]

# (unit, kind, area code or None, station name or None)
PAIRINGS = [
    # “1+1+1”: one government unit and one non-public enterprise per station (湖里区).
    ("湖里区市场监督管理局", "co_building", None, "吕厝社区新时代文明实践站"),
    ("厦门亿联网络技术股份有限公司", "co_building", None, "吕厝社区新时代文明实践站"),
    ("四三九九网络股份有限公司", "co_building", None, "坑内社区新时代文明实践站"),
    # 包片联村: units that look after a community.
    ("厦门水务集团有限公司", "area_link", GRID_COMMUNITY, None),
    ("国网厦门供电公司", "area_link", KAIYUAN + "002", None),
]

# Demo accounts, one per role: phone, name, role, node kind ("area"/"org"), node (code or org name), tier.
ACCOUNTS = [
    ("13800000001", "林小梅", "resident", "area", GRID_COMMUNITY, ""),
    ("13800000002", "陈志强", "grid_worker", "area", GRID_ONE, ""),
    ("13800000003", "黄建华", "mobile_grid_worker", "area", KAIYUAN, ""),
    ("13800000004", "吴丽华", "grid_leader", "area", GRID_COMMUNITY, ""),  # leads the grid workers of 坑内社区
    ("13800000005", "郑美玲", "community_staff", "area", GRID_COMMUNITY, "head"),
    ("13800000006", "王海峰", "command_center", "area", KAIYUAN, ""),
    ("13800000007", "刘建国", "department_handler", "org", "厦门市市政园林局", ""),
    ("13800000008", "张慧敏", "org_admin", "org", "厦门市妇联", ""),
    ("13800000009", "李红", "volunteer_team_leader", "org", "红色宣讲团", ""),
    ("13800000010", "苏雅琴", "judge", "org", "思明区妇联", ""),
    ("13800000011", "系统管理员", "system_admin", "area", "3502", ""),
]
SUPERUSER_PHONE = "13800000011"

# People who hold offices but no demo login: phone, name.
OFFICE_HOLDERS = [
    ("13800000021", "洪晓琳"),
    ("13800000022", "陈秀珍"),
]
# (phone, organization name, membership role)
MEMBERSHIPS = [
    # 交叉任职: one chair for the business-district federation and 文安社区妇联.
    ("13800000021", "中山路商圈妇联", "chair"),
    ("13800000021", "文安社区妇联", "chair"),
    ("13800000022", "思明区社会组织妇联", "chair"),
    ("13800000008", "厦门市妇联", "executive"),
    ("13800000005", "坑内社区妇联", "executive"),
    ("13800000009", "红色宣讲团", "chair"),
]
