"""Three-way merge of a paragraph two people changed: both kept where they do not clash."""

import pytest

from app.services.merging import merge_text, merge_value

BASE = "The CC said that resources are sufficient. The PCC thanked him."


def test_changes_to_different_words_are_both_kept():
    merged = merge_text(BASE, BASE.replace("sufficient", "adequate"),
                        BASE.replace("thanked", "praised"))
    assert merged.clean
    assert merged.text == "The CC said that resources are adequate. The PCC praised him."


def test_words_added_at_both_ends_are_both_kept_once():
    merged = merge_text(BASE, "Opening the item, " + BASE, BASE + " Agreed.")
    assert merged.clean
    assert merged.text == "Opening the item, " + BASE + " Agreed."


def test_the_same_change_on_both_sides_is_made_once():
    mine = theirs = BASE.replace("sufficient", "adequate")
    assert merge_text(BASE, mine, theirs).text == mine
    both = merge_text(BASE, BASE.replace("sufficient", "adequate") + " More.",
                      BASE.replace("sufficient", "adequate"))
    assert both.clean and both.text == BASE.replace("sufficient", "adequate") + " More."


def test_one_side_unchanged_takes_the_other():
    assert merge_text(BASE, BASE, "Rewritten.").text == "Rewritten."
    assert merge_text(BASE, "Rewritten.", BASE).text == "Rewritten."


def test_the_same_words_changed_differently_clash_and_the_proposal_keeps_both():
    merged = merge_text(BASE, BASE.replace("sufficient", "adequate"),
                        BASE.replace("sufficient", "stretched"))
    assert not merged.clean
    assert [(c.base, c.mine, c.theirs) for c in merged.clashes] == [
        ("sufficient", "adequate", "stretched")]
    # Nothing lost, and the shared start is not repeated (as joining the two texts did).
    assert merged.text == "The CC said that resources are adequate stretched. The PCC thanked him."
    assert merged.text.count("The CC said") == 1


def test_words_added_at_the_same_place_clash():
    merged = merge_text("The CC responded", "The CC responded that resources are sufficient.",
                        "The CC responded that campaigns are national.")
    assert not merged.clean
    assert "resources are sufficient." in merged.text
    assert "campaigns are national." in merged.text
    assert merged.text.startswith("The CC responded that resources")


def test_a_deletion_next_to_an_edit_elsewhere_merges():
    merged = merge_text("One two three four five.", "One three four five.",
                        "One two three four six.")
    assert merged.clean and merged.text == "One three four six."


@pytest.mark.parametrize("text", ["Café", "naïve ünïcode – “quotes”", "行政 文书", "😀 emoji"])
def test_any_script_survives_a_merge(text):
    merged = merge_text(f"{text} base", f"Start {text} base", f"{text} base end")
    assert merged.clean and merged.text == f"Start {text} base end"


def test_a_long_paragraph_with_thousands_of_distinct_words_merges():
    base = " ".join(f"w{n}" for n in range(60_000))
    merged = merge_text(base, base.replace("w10 ", "ten "), base.replace("w59990", "end"))
    assert merged.clean
    assert merged.text.startswith("w0 w1") and "ten w11" in merged.text
    assert "end w59991" in merged.text


def test_fields_merge_one_side_or_clash():
    assert merge_value("narrative", "narrative", "decision") == ("decision", False)
    assert merge_value("narrative", "decision", "narrative") == ("decision", False)
    assert merge_value("narrative", "decision", "decision") == ("decision", False)
    assert merge_value("narrative", "decision", "question") == ("decision", True)
