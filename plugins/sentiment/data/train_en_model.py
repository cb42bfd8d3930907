#!/usr/bin/env python3
"""Fits the English model (`en_model.tsv`) of the sentiment plugin.

Data: the 23 699 human-rated sentences that vaderSentiment 3.3.2 ships in
its source package (additional_resources/hutto_ICWSM_2014.tar.gz: tweets,
movie review snippets, Amazon review snippets, New York Times editorial
snippets; MIT, see LICENSE-vader.txt), each with the mean of its raters'
valences (-4..4).

Model: ridge regression of that mean / 4 (so a neutral sentence is near 0
and the score stays in VADER's [-1, 1]) on the words and word pairs of
scikit-learn's CountVectorizer (lower case, token_pattern
(?u)\b\w[\w']*\b, ngram_range (1, 2), binary, min_df 2) and the plugin's
own VADER compound score of the sentence (its English rules, from `cargo
run -p sentiment --example score_en`), so that the model fits the scorer it
runs with. The regularisation is chosen by 5-fold cross-validation on these
sentences only: the share of sentences rated 0.5 or more away from neutral
whose score has the right sign.

Usage, from the repository's root (needs python3 with numpy, scipy and
scikit-learn, and network access to PyPI for the sdist):

    python3 plugins/sentiment/data/train_en_model.py

The test sets of the plugin (the npm `sentiment` fixtures, the French
sets) are never read here.
"""
import io
import os
import subprocess
import sys
import tarfile
import tempfile

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SETS = ["tweets", "movieReviewSnippets", "amazonReviewSnippets", "nytEditorialSnippets"]


def rated_sentences():
    """(sentence, mean rating) pairs."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps",
             "--no-binary", ":all:", "vaderSentiment==3.3.2", "-d", tmp],
            check=True,
        )
        with tarfile.open(os.path.join(tmp, "vaderSentiment-3.3.2.tar.gz")) as sdist:
            inner = sdist.extractfile(
                "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz")
            with tarfile.open(fileobj=io.BytesIO(inner.read())) as res:
                for name in SETS:
                    f = res.extractfile(f"hutto_ICWSM_2014/{name}_GroundTruth.txt")
                    for line in f.read().decode("utf-8", "replace").splitlines():
                        parts = line.split("\t")
                        if len(parts) >= 3:
                            yield parts[2], float(parts[1])


def vader_scores(texts):
    out = subprocess.run(
        ["cargo", "run", "-q", "--release", "-p", "sentiment", "--example", "score_en"],
        input="\n".join(t.replace("\n", " ") for t in texts) + "\n",
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    scores = [float(x) for x in out.stdout.split()]
    assert len(scores) == len(texts), (len(scores), len(texts))
    return np.array(scores).reshape(-1, 1)


def sign_accuracy(alpha, features, ratings):
    """Cross-validated share of clearly rated sentences scored with the
    right sign."""
    target = np.clip(ratings / 4, -1, 1)
    clear = np.abs(ratings) >= 0.5
    hits = []
    for train, test in KFold(5, shuffle=True, random_state=0).split(features):
        predicted = Ridge(alpha=alpha).fit(features[train], target[train]).predict(features[test])
        keep = clear[test]
        hits.append(((predicted[keep] > 0) == (ratings[test][keep] > 0)).mean())
    return float(np.mean(hits))


def main():
    texts, ratings = zip(*rated_sentences())
    ratings = np.array(ratings)
    vectorizer = CountVectorizer(lowercase=True, token_pattern=r"(?u)\b\w[\w']*\b",
                                 ngram_range=(1, 2), binary=True, min_df=2)
    words = vectorizer.fit_transform(texts)
    vader = vader_scores(list(texts))
    features = hstack([words, csr_matrix(vader)]).tocsr()
    accuracy, alpha = max((sign_accuracy(a, features, ratings), a) for a in [3, 10, 30])
    print(f"{len(texts)} sentences; cross-validated sign accuracy {accuracy:.4f} with alpha = {alpha}")
    model = Ridge(alpha=alpha).fit(features, np.clip(ratings / 4, -1, 1))
    weights = model.coef_
    vocabulary = vectorizer.get_feature_names_out()
    # The regression's scores are narrower than VADER's compound scores (a
    # mean rating against a sum of valences), and the plugin's thresholds
    # (`buzz.negative_threshold`) are read on VADER's scale, as are the
    # French scores. One factor brings them to it: on the clearly rated
    # sentences, the mean size of the scores becomes VADER's. Sign and zero
    # are kept, and so is the accuracy.
    clear = np.abs(ratings) >= 0.5
    scale = float(np.mean(np.abs(vader[clear, 0])) / np.mean(np.abs(model.predict(features)[clear])))
    path = os.path.join(HERE, "en_model.tsv")
    with open(path, "w", encoding="utf-8") as out:
        out.write("# English sentiment model, written by train_en_model.py (see its header).\n")
        out.write(f"# {len(texts)} sentences, alpha = {alpha}, cross-validated sign accuracy {accuracy:.4f}.\n")
        out.write(f"@intercept\t{model.intercept_:.6f}\n")
        out.write(f"@vader\t{weights[-1]:.6f}\n")
        out.write(f"@scale\t{scale:.6f}\n")
        for feature, w in zip(vocabulary, weights[:-1]):
            if round(w, 4) != 0:
                out.write(f"{feature}\t{w:.4f}\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
