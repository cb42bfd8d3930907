"""The plugin's logic, tested natively (no WebAssembly): `python -m unittest`."""

import unittest

import app


class KeywordFilterTest(unittest.TestCase):
    def test_deletes_whole_keywords_only_and_warns_privately(self):
        config = app.configure('{"keywords": ["Spam"]}')
        hit = app.decide(config, "e1", "u1", "Buy SPAM now")
        self.assertEqual(hit[0], app.Delete("e1", "keyword « spam »"))
        self.assertEqual(hit[1].user_id, "u1")
        self.assertIn("« spam »", hit[1].text)
        self.assertEqual(app.decide(config, "e2", "u1", "spammer? no"), [])

    def test_words_are_split_on_punctuation_and_underscores(self):
        config = app.configure("{}")
        self.assertTrue(app.decide(config, "e1", "u1", "C'est une ARNAQUE!!"))
        self.assertTrue(app.decide(config, "e2", "u1", "free_scam_here"))
        self.assertEqual(app.decide(config, "e3", "u1", "Bonjour à tous"), [])

    def test_defaults_and_warning_template(self):
        config = app.configure('{"warning": "No {word}, please."}')
        self.assertEqual(config.keywords, ["spam", "arnaque", "scam"])
        dm = app.decide(config, "e1", "u1", "scam")[1]
        self.assertEqual(dm, app.DirectMessage("u1", "No scam, please.", "keyword « scam »"))

    def test_rejects_bad_configs_with_clear_messages(self):
        with self.assertRaisesRegex(ValueError, "unknown field `keyword`"):
            app.configure('{"keyword": ["x"]}')
        with self.assertRaisesRegex(ValueError, "`keywords` must be a list of strings"):
            app.configure('{"keywords": "spam"}')
        with self.assertRaisesRegex(ValueError, "not JSON"):
            app.configure("{")


if __name__ == "__main__":
    unittest.main()
