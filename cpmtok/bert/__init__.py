"""BERT WordPiece over vocab.txt, bit-exact to three references ("dialects"): hf-fast, hf-slow, google."""
