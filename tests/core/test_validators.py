"""core.validators: the check characters of the two national identifiers, shared by customers and re-guarantee
(worked examples from the standards' published samples)."""

from __future__ import annotations

from surety.core.validators import credit_code_ok, id_check_char, uscc_check_char


def test_the_id_card_check_character():
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("44052418800101001") == "4"


def test_the_credit_code_check_character_and_the_whole_code():
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert credit_code_ok("91350100M000100Y43")
    assert not credit_code_ok("91350100M000100Y44")  # wrong check character
    assert not credit_code_ok("91350100M000100Y4")  # 17 characters
    assert not credit_code_ok("91350100I000100Y43")  # I is not in the code set
