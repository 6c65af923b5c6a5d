from questions.templatetags.question_text import count_word, markdown

HOSTILE = (
    'Pick one. <script>alert("x")</script> <img src=x onerror="alert(1)"> [a](javascript:alert(1))'
)


def test_markdown_keeps_emphasis_code_and_lists():
    html = markdown("Use *Pipe* mode with `RecordIO`:\n\n- one\n- two")
    assert "<em>Pipe</em>" in html and "<code>RecordIO</code>" in html
    assert "<ul>" in html and "<li>one</li>" in html


def test_markdown_joins_wrapped_lines_into_one_paragraph():
    assert markdown("A retailer runs\na nightly job.") == "<p>A retailer runs\na nightly job.</p>"


def test_markdown_makes_scripts_and_handlers_inert():
    html = markdown(HOSTILE)
    assert "<script" not in html and "onerror" not in html
    assert "<img" not in html and "javascript:" not in html


def test_count_word():
    assert [count_word(n) for n in (2, 3, 7)] == ["TWO", "THREE", "7"]


def test_the_pick_count_is_dropped_from_the_stem_even_across_a_line_break():
    from questions.templatetags.question_text import without_pick_count

    assert without_pick_count("Which TWO fit? Choose\nTWO.\n") == "Which TWO fit?"
    assert without_pick_count("Which fit? Choose THREE.") == "Which fit?"
    assert without_pick_count("Which one fits?") == "Which one fits?"
