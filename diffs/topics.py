"""The seller workflows a change touches (fees, account health, returns, ...), found in the words
it changed and the titles of the sections it changed, in the corpus's languages (en, de, fr, es,
it, nl). Deterministic: word stems matched at word starts, scored, the best few kept. The changed
words are counted once each and looked up by their first three letters, so a long rewrite costs a
split and a dictionary lookup per distinct word."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

# slug → what a seller calls it
TOPICS: dict[str, str] = {
    "fees-payments": "Fees & payments",
    "account-health": "Account health & suspension",
    "returns-refunds": "Returns, refunds & reimbursements",
    "listings-products": "Listings & prohibited products",
    "shipping-fulfilment": "Shipping & fulfilment",
    "disputes-liability": "Disputes & liability",
    "data-privacy": "Data & privacy",
    "other": "Other terms",
}
FALLBACK = "other"
MOST = 3  # topics named per change

# Per topic: word stems (matched at the start of a word, accents and case aside) and, after "=",
# whole words that are too short to be stems without catching others ("ban" is not "bank").
_WORDS = {
    "fees-payments": """
        fee commission charge pric payment payout pay= paid= disburs invoic billing tax vat= reserve
        subscription currenc remittanc settlement
        gebuhr provision zahlung auszahlung rechnung preis steuer kosten entgelt abrechnung
        frais paiement factur prix tarif taxe remuneration versement
        tarifa comision pago factura precio impuesto cargo cobro
        commission pagament fattur prezz tariff impost addebit
        vergoeding betaling factuur prijs tarief commissie belasting uitbetal
    """,
    "account-health": """
        suspen deactivat terminat ban= banned= block restrict performance metric violat warning
        appeal reinstat account-health policy-violation deplatform response-time respond-to-buyer
        buyer-messag customer-service order-defect feedback
        sperr kundig aussetz deaktivier verstoss verwarnung
        resili desactiv bloqu sanction avertissement
        rescind desactiv bloqueo sancion infracci
        sospen disattiv blocc risoluzion sanzion violazion
        opschort schorsing blokker beeindig deactiv sanctie overtred
    """,
    "returns-refunds": """
        return refund reimburs chargeback a-to-z guarantee exchange
        ruckgabe rucksend erstatt widerruf retour umtausch
        retour rembours retract echange
        devoluci reembols desistim
        reso= resi= rimbors recesso sostituzion
        retour terugbetal restitut herroep
    """,
    "listings-products": """
        listing product item catalog prohibit restricted counterfeit brand categor
        hazmat dangerous battery batteries lithium recall detail-page asin
        angebot artikel produkt verbot kategori marke gefahrgut
        produit annonce article interdit categori contrefa marque
        producto anuncio articulo prohibid categori falsific marca
        prodott inserzion articol vietat categori contraffa marchi
        product artikel aanbod verboden categori namaak merk
    """,
    "shipping-fulfilment": """
        ship deliver carrier fulfil fba= warehouse inventor dispatch tracking logistic parcel
        storage handling-time postage
        versand liefer lager zustell paket spedit logistik
        livraison expedi transport entrepot colis logistique
        envio entrega almacen transport paquete logistic inventario
        spedizion consegn magazzin trasport pacc logistic
        verzend lever bezorg magazijn voorraad pakket logistiek
    """,
    "disputes-liability": """
        disput arbitrat liabil liable indemn warrant court jurisdiction governing-law damages
        lawsuit mediat complaint claim breach
        streit haftung schiedsgericht gericht schadenersatz gewahrleist beschwerde
        litige arbitrag responsabilit indemnis tribunal juridiction garantie reclamation plainte
        disputa litigio arbitraj responsabilidad indemniz tribunal jurisdicci reclamaci garantia
        controversi arbitrat responsabilit indenni tribunal foro= giurisdizion reclam garanzi
        geschil arbitrage aansprakelijk vrijwar rechtbank rechter schadevergoed klacht
    """,
    "data-privacy": """
        data= privacy personal-data personal-information gdpr cookie consent processing processor
        controller confidential
        daten datenschutz einwillig verarbeit vertraulich dsgvo
        donnee confidentialit consentement traitement rgpd
        datos privacidad consentimiento tratamiento confidencial
        dati= consenso trattament riservat
        gegevens toestemming verwerk avg= vertrouwelijk
    """,
}


def _index(words: dict[str, str]) -> tuple[dict[str, list[tuple[str, str, bool]]], list[tuple[str, str]]]:
    """Single-word stems by their first three letters (stem, topic, whole word only), and the
    phrases (words in a row) with their topic."""
    index: dict[str, list[tuple[str, str, bool]]] = {}
    phrases: list[tuple[str, str]] = []
    for topic, spec in words.items():
        for token in spec.split():
            whole = token.endswith("=")
            stem = token.rstrip("=")
            if "-" in stem:
                phrases.append((stem.replace("-", " "), topic))
            else:
                index.setdefault(stem[:3], []).append((stem, topic, whole))
    return index, phrases


INDEX, PHRASES = _index(_WORDS)
# an ASCII text's characters other than letters and digits made spaces, then each run of them
# one space: a translation and a search for the runs are faster than a substitution of each run
NON_WORD = str.maketrans({c: " " for c in map(chr, range(128)) if c not in "abcdefghijklmnopqrstuvwxyz0123456789"})
SPACES = re.compile("  +")  # (a literal start: the search jumps from one double space to the next)


def fold(text: str) -> str:
    """Case and accents aside ("Gebühr" → "gebuhr"), everything but letters and digits a space."""
    text = text.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return SPACES.sub(" ", text.translate(NON_WORD))


def _scores(text: str) -> Counter[str]:
    """Topic → how many of its words a folded text holds (stems at word starts)."""
    scores: Counter[str] = Counter()
    for word, n in Counter(text.split()).items():
        for stem, topic, whole in INDEX.get(word[:3], ()):
            if word == stem or (not whole and word.startswith(stem)):
                scores[topic] += n
    padded = f" {text} "
    for phrase, topic in PHRASES:
        if phrase in text:
            scores[topic] += padded.count(f" {phrase}")
    return scores


def topics_of(changed: Iterable[str], sections: Iterable[str] = (), context: Iterable[str] = ()) -> list[str]:
    """The topics of a change: each topic scored by its words among the changed words (two
    points each), among the words before each edit in its clause (`context`, one point each),
    and a point for each changed section whose title names it; the best MOST with a score, in
    the order of TOPICS on ties; FALLBACK when nothing matched but something changed."""
    changed_text = fold(" ".join(changed))
    titles = [fold(s) for s in dict.fromkeys(sections) if s]
    if not changed_text.strip() and not titles:
        return []
    scores = _scores(changed_text)
    for topic in scores:
        scores[topic] *= 2
    scores.update(_scores(fold(" ".join(context))))
    for title in titles:
        for topic in _scores(title):
            scores[topic] += 1
    if not scores:
        return [FALLBACK]
    order = list(TOPICS)
    best = sorted(scores, key=lambda t: (-scores[t], order.index(t)))
    return best[:MOST]
