"""Custom fields in core (issue 20): definitions (permission, validation, retire, refused type change), values of
every type checked through the JSON Schema with every problem at once, sensitive values encrypted at rest, masked
and revealed with an audit, tenant isolation, search by choice value, kept versions, the entity-type hook."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from surety.core.audit.models import AuditRecord
from surety.core.crypto.errors import DecryptionFailed
from surety.core.custom_fields import schema as sch
from surety.core.custom_fields import service as cf
from surety.core.custom_fields.models import CustomFieldDefinition, CustomFieldValues
from surety.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

ENTITY = "customer_individual"

FIELDS = [
    {"key": "nickname", "label_zh": "昵称", "label_en": "Nickname", "type": "text",
     "validation": {"min_length": 2, "max_length": 5}},
    {"key": "store_code", "label_zh": "门店编号", "type": "text", "validation": {"pattern": "S[0-9]{3}"}},
    {"key": "family_members", "label_zh": "家庭人数", "type": "number", "required": True,
     "validation": {"min": 1, "max": 20}, "section": "家庭", "position": 1},
    {"key": "monthly_income", "label_zh": "月收入", "type": "money", "validation": {"min": 0}},
    {"key": "married_on", "label_zh": "结婚日期", "type": "date", "validation": {"min": "1950-01-01"}},
    {"key": "housing", "label_zh": "住房情况", "type": "choice",
     "options": [{"value": "own", "label_zh": "自有"}, {"value": "rent", "label_zh": "租赁"}]},
    {"key": "assets", "label_zh": "资产类别", "type": "multi_choice", "validation": {"max_length": 2},
     "options": [{"value": "house", "label_zh": "房产"}, {"value": "car", "label_zh": "车辆"},
                 {"value": "stock", "label_zh": "股票"}]},
    {"key": "local", "label_zh": "本地户籍", "type": "boolean"},
    {"key": "store_photo", "label_zh": "门店照片", "type": "file"},
    {"key": "members", "label_zh": "家庭成员", "type": "table",
     "columns": [{"key": "name", "label_zh": "姓名", "type": "text", "required": True},
                 {"key": "age", "label_zh": "年龄", "type": "number", "validation": {"min": 0}}]},
    {"key": "id_back", "label_zh": "配偶身份证号", "type": "text", "sensitive": True, "mask_kind": "id_number"},
]


def define_all(place, fields=FIELDS, entity=ENTITY):
    with place.session() as s:
        return {f["key"]: cf.define_field(s, place.admin, entity, f).id for f in fields}


def write(place, record, values, **kw):
    with place.session() as s:
        return cf.write_values(s, place.admin, ENTITY, record, values, **kw).version


def problems(place, record, values) -> dict[str, str]:
    with pytest.raises(sch.CustomFieldsInvalid) as err:
        write(place, record, values)
    return {p.field: p.code for p in err.value.problems}


def values_of(place, record) -> dict:
    with place.session() as s:
        return {f.key: f.value for f in cf.read_values(s, ENTITY, record)}


GOOD = {"nickname": "小张", "store_code": "S001", "family_members": 3, "monthly_income": "12000.5",
        "married_on": "2015-05-01", "housing": "own", "assets": ["house", "car"], "local": True,
        "members": [{"name": "李四", "age": "40"}], "id_back": "110105194912310021"}


def test_every_type_stores_its_valid_value(place):
    define_all(place)
    record = uuid.uuid4()
    assert write(place, record, GOOD) == 1
    got = values_of(place, record)
    assert got["family_members"] == "3" and got["monthly_income"] == "12000.50"  # Decimal text, money to the fen
    assert got["married_on"] == "2015-05-01" and got["assets"] == ["house", "car"] and got["local"] is True
    assert got["members"] == [{"name": "李四", "age": "40"}] and got["id_back"] == "110105194912310021"
    assert got["nickname"] == "小张" and got["housing"] == "own" and got["store_photo"] is None


@pytest.mark.parametrize("key,value,code", [
    ("nickname", 12, sch.WRONG_TYPE),
    ("nickname", "张", sch.BAD_LENGTH),
    ("nickname", "张三李四王五", sch.BAD_LENGTH),
    ("store_code", "X001", sch.BAD_PATTERN),
    ("family_members", "three", sch.WRONG_TYPE),
    ("family_members", 0, sch.OUT_OF_RANGE),
    ("family_members", "21", sch.OUT_OF_RANGE),
    ("family_members", True, sch.WRONG_TYPE),
    ("monthly_income", "12.345", sch.WRONG_TYPE),
    ("monthly_income", "-1", sch.OUT_OF_RANGE),
    ("married_on", "2015-13-01", sch.WRONG_TYPE),
    ("married_on", "1949-12-31", sch.OUT_OF_RANGE),
    ("housing", "castle", sch.NOT_AN_OPTION),
    ("assets", ["house", "boat"], sch.NOT_AN_OPTION),
    ("assets", ["house", "house"], sch.NOT_AN_OPTION),
    ("assets", ["house", "car", "stock"], sch.BAD_LENGTH),
    ("assets", "house", sch.WRONG_TYPE),
    ("local", "yes", sch.WRONG_TYPE),
    ("store_photo", "not-a-uuid", sch.WRONG_TYPE),
    ("store_photo", str(uuid.uuid4()), sch.NO_FILE),
    ("members", {"name": "x"}, sch.WRONG_TYPE),
])
def test_each_type_refuses_a_bad_value(place, key, value, code):
    define_all(place)
    got = problems(place, uuid.uuid4(), {"family_members": 2, key: value})
    assert got == {key: code}


def test_table_cells_are_checked_one_by_one(place):
    define_all(place)
    got = problems(place, uuid.uuid4(), {"family_members": 2, "members": [
        {"name": "甲", "age": "x"}, {"age": 3}, {"name": "丙", "shoe": 42}]})
    assert got == {"members.0.age": sch.WRONG_TYPE, "members.1.name": sch.REQUIRED,
                   "members.2.shoe": sch.UNKNOWN}


def test_every_problem_is_reported_at_once_with_its_key_and_label(place):
    define_all(place)
    with pytest.raises(sch.CustomFieldsInvalid) as err:
        write(place, uuid.uuid4(), {"nickname": "张", "housing": "castle", "local": "no", "ghost": 1})
    by_field = {p.field: p for p in err.value.problems}
    assert set(by_field) == {"nickname", "housing", "local", "ghost", "family_members"}
    assert by_field["family_members"].code == sch.REQUIRED and by_field["ghost"].code == sch.UNKNOWN
    assert by_field["nickname"].details["label"] == "昵称" and by_field["nickname"].details["min_length"] == 2
    assert by_field["housing"].details["options"] == "own, rent"
    assert err.value.details["count"] == 5 and err.value.code == "CUSTOM_FIELDS_INVALID"


def test_required_fields_count_stored_values_and_blank_clears(place):
    define_all(place)
    record = uuid.uuid4()
    write(place, record, {"family_members": 2, "nickname": "小王"})
    write(place, record, {"nickname": ""})  # family_members is still stored: fine
    assert "nickname" not in {k for k, x in values_of(place, record).items() if x is not None}
    assert problems(place, record, {"family_members": None}) == {"family_members": sch.REQUIRED}


def test_sensitive_value_is_encrypted_at_rest_masked_and_reveal_is_audited(place):
    define_all(place)
    record = uuid.uuid4()
    write(place, record, {"family_members": 2, "id_back": "110105194912310021"})
    with place.session() as s:
        stored = s.scalar(select(CustomFieldValues.values).where(CustomFieldValues.record_id == record))
        assert stored["id_back"].startswith("v1.") and "110105194912310021" not in str(stored)
        shown = {f.key: f.masked for f in cf.read_values(s, ENTITY, record)}
        assert shown["id_back"] == "110105********0021"
        assert "id_back" not in cf.subject_values(s, ENTITY, record)["custom"]
        history = cf.history(s, ENTITY, record)
        assert history[0]["values"]["id_back"] == "110105********0021"
        image = s.scalar(select(AuditRecord.after).where(AuditRecord.action == "custom_fields.values.updated"))
        assert image["values"]["id_back"] == "110105********0021"
    with place.session() as s, pytest.raises(PermissionDenied):
        cf.reveal_value(s, place.clerk, ENTITY, record, "id_back")
    with place.session() as s:
        assert cf.reveal_value(s, place.admin, ENTITY, record, "id_back") == "110105194912310021"
    with place.session() as s:
        reveal = s.scalar(select(AuditRecord).where(AuditRecord.action == "pii.revealed"))
        assert reveal.entity_id == str(record) and reveal.after == {"field": "custom.id_back"}
        assert reveal.entity_type == f"custom_fields:{ENTITY}"
    # A ciphertext moved to another record does not decrypt.
    other = uuid.uuid4()
    write(place, other, {"family_members": 2})
    with place.session() as s:
        row = s.scalar(select(CustomFieldValues).where(CustomFieldValues.record_id == other))
        row.values = {**row.values, "id_back": stored["id_back"]}
        s.flush()
        with pytest.raises(DecryptionFailed):
            cf.read_values(s, ENTITY, other)


def test_defining_needs_the_permission_and_a_known_entity_type(place):
    with place.session() as s, pytest.raises(PermissionDenied):
        cf.define_field(s, place.clerk, ENTITY, FIELDS[0])
    with place.session() as s, pytest.raises(ValidationFailed) as err:
        cf.define_field(s, place.admin, "guarantee_project", FIELDS[0])  # guarantee is not enabled here
    assert err.value.field == "entity_type"
    define_all(place, FIELDS[:1])
    with place.session() as s, pytest.raises(Conflict):
        cf.define_field(s, place.admin, ENTITY, FIELDS[0])


@pytest.mark.parametrize("spec,field", [
    ({"key": "Bad Key", "label_zh": "x", "type": "text"}, "key"),
    ({"key": "a", "label_zh": "", "type": "text"}, "label_zh"),
    ({"key": "a", "label_zh": "x", "type": "colour"}, "type"),
    ({"key": "a", "label_zh": "x", "type": "choice"}, "options"),
    ({"key": "a", "label_zh": "x", "type": "choice", "options": [{"value": "x"}, {"value": "x"}]}, "options"),
    ({"key": "a", "label_zh": "x", "type": "text", "validation": {"pattern": "("}}, "validation"),
    ({"key": "a", "label_zh": "x", "type": "number", "validation": {"min": 5, "max": 1}}, "validation"),
    ({"key": "a", "label_zh": "x", "type": "boolean", "validation": {"min": 1}}, "validation"),
    ({"key": "a", "label_zh": "x", "type": "choice", "sensitive": True, "options": [{"value": "x"}]}, "sensitive"),
    ({"key": "a", "label_zh": "x", "type": "table"}, "columns"),
    ({"key": "a", "label_zh": "x", "type": "table", "columns": [{"key": "f", "label_zh": "f", "type": "file"}]},
     "columns"),
])
def test_bad_definitions_are_refused(place, spec, field):
    with place.session() as s, pytest.raises(ValidationFailed) as err:
        cf.define_field(s, place.admin, ENTITY, spec)
    assert err.value.field == field


def test_retired_field_keeps_its_values_readable_and_takes_no_new_ones(place):
    ids = define_all(place)
    record = uuid.uuid4()
    write(place, record, {"family_members": 4, "housing": "rent"})
    with place.session() as s:
        cf.retire_field(s, place.admin, ids["housing"])
        assert "housing" not in [d.key for d in cf.definitions(s, ENTITY)]
        kept = {f.key: (f.value, f.definition.status) for f in cf.read_values(s, ENTITY, record)}
        assert kept["housing"] == ("rent", "retired")
        assert "housing" not in cf.subject_values(s, ENTITY, record)["custom"]
        assert cf.find_records(s, ENTITY, "housing", "rent") == [record]
    assert problems(place, record, {"housing": "own"}) == {"housing": sch.RETIRED}
    write(place, record, {"family_members": 5})  # other fields still change; the retired value stays
    assert values_of(place, record)["housing"] == "rent"
    with place.session() as s:  # active again: its value is back in the form
        cf.update_field(s, place.admin, ids["housing"], {"status": "active"})
        assert cf.subject_values(s, ENTITY, record)["custom"]["housing"] == "rent"


def test_type_change_refused_while_values_exist(place):
    ids = define_all(place)
    with place.session() as s:  # no values yet: a type change is allowed
        cf.update_field(s, place.admin, ids["nickname"], {"type": "number", "validation": {}})
        cf.update_field(s, place.admin, ids["nickname"], {"type": "text"})
    write(place, uuid.uuid4(), {"family_members": 2, "nickname": "小李", "members": [{"name": "甲"}]})
    for key, change, field in (("nickname", {"type": "number", "validation": {}}, "type"),
                               ("nickname", {"sensitive": True}, "sensitive"),
                               ("members", {"columns": [{"key": "name", "label_zh": "姓名", "type": "date"}]},
                                "columns")):
        with place.session() as s, pytest.raises(Conflict) as err:
            cf.update_field(s, place.admin, ids[key], change)
        assert err.value.code == cf.IN_USE and err.value.field == field
    with place.session() as s:  # a label, a rule or the order may change
        row = cf.update_field(s, place.admin, ids["nickname"], {"label_zh": "称呼", "validation": {"max_length": 9}})
        assert row.version == 4 and row.label_zh == "称呼"
        with pytest.raises(ValidationFailed):
            cf.update_field(s, place.admin, ids["nickname"], {"key": "nick"})


def test_definitions_and_values_are_isolated_per_tenant(place, other_place):
    define_all(place)
    record = uuid.uuid4()
    write(place, record, {"family_members": 2, "housing": "own"})
    with other_place.session() as s:
        assert cf.definitions(s, ENTITY, include_retired=True) == []
        assert cf.read_values(s, ENTITY, record) == []
        assert cf.find_records(s, ENTITY, "housing", "own") == []
        assert s.scalars(select(CustomFieldDefinition)).all() == []
        with pytest.raises(sch.CustomFieldsInvalid) as err:  # the other tenant's fields are unknown here
            cf.write_values(s, other_place.admin, ENTITY, record, {"housing": "own"})
        assert [p.code for p in err.value.problems] == [sch.UNKNOWN]
        cf.define_field(s, other_place.admin, ENTITY, {"key": "housing", "label_zh": "住房", "type": "text"})
    with place.session() as s:
        assert {d.key: d.type for d in cf.definitions(s, ENTITY)}["housing"] == "choice"


def test_search_by_choice_value(place):
    define_all(place)
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    write(place, a, {"family_members": 1, "housing": "own", "assets": ["car"]})
    write(place, b, {"family_members": 1, "housing": "rent", "assets": ["car", "house"]})
    write(place, c, {"family_members": 1, "housing": "own"})
    with place.session() as s:
        assert set(cf.find_records(s, ENTITY, "housing", "own")) == {a, c}
        assert set(cf.find_records(s, ENTITY, "assets", "car")) == {a, b}
        assert cf.find_records(s, ENTITY, "assets", "stock") == []
    write(place, a, {"housing": "rent"})
    with place.session() as s:
        assert cf.find_records(s, ENTITY, "housing", "own") == [c]


def test_versions_are_kept_and_audited(place):
    define_all(place)
    record = uuid.uuid4()
    assert write(place, record, {"family_members": 2}) == 1
    assert write(place, record, {"family_members": 2}) == 1  # nothing changed: no version
    assert write(place, record, {"family_members": 3, "local": False}) == 2
    with pytest.raises(Conflict):
        write(place, record, {"family_members": 4}, expected_version=1)
    with place.session() as s:
        versions = cf.history(s, ENTITY, record)
        assert [(v["version"], v["changed"]) for v in versions] == [(1, ["family_members"]),
                                                                    (2, ["family_members", "local"])]
        assert versions[0]["values"] == {"family_members": "2"} and versions[0]["changed_by"] == place.admin.id_uuid
        audits = s.scalars(select(AuditRecord).where(AuditRecord.action == "custom_fields.values.updated")
                           .order_by(AuditRecord.seq)).all()
        assert [a.after["version"] for a in audits] == [1, 2]
        assert audits[1].before == {"family_members": "2"} and audits[1].after["values"] == {
            "family_members": "3", "local": False}


def test_subject_values_give_numbers_as_decimal(place):
    define_all(place)
    record = uuid.uuid4()
    write(place, record, {"family_members": 3, "monthly_income": 8000, "housing": "own"})
    with place.session() as s:
        custom = cf.subject_values(s, ENTITY, str(record))["custom"]
        assert custom == {"family_members": Decimal(3), "monthly_income": Decimal("8000.00"), "housing": "own"}
        assert cf.number_value(s, ENTITY, record, "monthly_income") == Decimal("8000.00")
        with pytest.raises(ValidationFailed):
            cf.number_value(s, ENTITY, record, "housing")
        with pytest.raises(NotFound):
            cf.reveal_value(s, place.admin, ENTITY, record, "nothing")


def test_json_schema_of_the_definitions(place):
    define_all(place)
    with place.session() as s:
        specs = [sch.FieldSpec.of(d) for d in cf.definitions(s, ENTITY)]
    schema = sch.json_schema(specs)
    assert schema["required"] == ["family_members"] and schema["additionalProperties"] is False
    assert schema["properties"]["housing"] == {"type": "string", "enum": ["own", "rent"]}
    assert schema["properties"]["store_code"]["pattern"] == "^(?:S[0-9]{3})$"
    assert schema["properties"]["members"]["items"]["additionalProperties"] is False


def test_entity_types_come_from_the_enabled_plugins_hook(place, bare_tenant, db):
    """surety_custom_field_entities: customers contributes both customer kinds; a tenant without it has none."""
    with place.session() as s:
        found = cf.entity_types(s)
        assert {"customer_individual", "customer_corporate"} <= set(found)
        assert found["customer_individual"].label_zh == "个人客户"
    with db.tenant_session(bare_tenant.id) as s:
        assert "customer_individual" not in cf.entity_types(s)
