"""A bare MLM loop for recipe curves: held-out perplexity every N steps for one recipe, on 2 CPU threads.

    python training/curves/mlm_loop.py NAME STEPS '{"lr": 1e-3, "arch": "bert"}'   # -> training/curves/NAME.json

The same model, data, masking and schedule as training/pretrain.py, without the Trainer, so that
a recipe's first hundreds of steps can be compared quickly (keys: lr, warmup, arch bert|preln,
mask, len, batch, w2v true|false, every). The figures of training/README.md came from it.
"""
import json, math, random, sys, time
import torch
from pathlib import Path
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from govie.tokenizer import CharTokenizer
from govie.training import MaskingCollator, masked_lm_class, read_unlabeled, word2vec_embeddings
from transformers import BertConfig, RobertaPreLayerNormConfig, RobertaPreLayerNormForMaskedLM

torch.set_num_threads(2)
name = sys.argv[1]; steps = int(sys.argv[2])
cfg = json.loads(sys.argv[3])
tok = CharTokenizer.from_pretrained(ROOT / 'govie' / 'models' / 'default')
texts = read_unlabeled(ROOT / 'corpora' / 'unlabeled' / 'reports.jsonl.xz')
L = cfg.get('len', 128); size = L - 2
chunks = []
for t in texts:
    for s in range(0, len(t), size):
        p = t[s:s+size]
        if len(p.strip()) >= 16: chunks.append(tok.encode(p).input_ids)
held = [c for i, c in enumerate(chunks) if i % 50 == 0][:200]
train = [c for i, c in enumerate(chunks) if i % 50]
random.seed(13); torch.manual_seed(13)
col = MaskingCollator(tok, cfg.get('mask', 0.15))
torch.manual_seed(99)
held_col = MaskingCollator(tok, 0.15)
held_batches = [held_col([{'input_ids': c} for c in held[i:i+50]]) for i in range(0, len(held), 50)]
torch.manual_seed(13)
arch = cfg.get('arch', 'bert')
kw = dict(vocab_size=tok.vocab_size, pad_token_id=tok.pad_token_id, hidden_size=cfg.get('h', 192),
          num_hidden_layers=cfg.get('layers', 3), num_attention_heads=4, intermediate_size=cfg.get('h', 192)*4,
          max_position_embeddings=256, type_vocab_size=1, hidden_dropout_prob=cfg.get('drop', 0.1),
          attention_probs_dropout_prob=cfg.get('drop', 0.1))
if arch == 'bert':
    model = masked_lm_class()(BertConfig(**kw))
else:
    model = RobertaPreLayerNormForMaskedLM(RobertaPreLayerNormConfig(**kw))
if cfg.get('w2v'):
    vec = torch.from_numpy(word2vec_embeddings(texts, tok, dim=kw['hidden_size'], seed=13))
    emb = model.get_input_embeddings().weight
    with torch.no_grad():
        emb.copy_(vec * (0.02 / vec.std()))
opt = torch.optim.AdamW(model.parameters(), lr=cfg['lr'], weight_decay=0.01, betas=(0.9, cfg.get('b2', 0.999)))
warm = cfg.get('warmup', 0.08)
warm_steps = int(warm * steps) if warm < 1 else int(warm)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s+1)/max(1, warm_steps)) * max(0.0, (steps - s)/max(1, steps - warm_steps)) if s >= warm_steps else (s+1)/max(1, warm_steps))
B = cfg.get('batch', 32)
def evaluate():
    model.eval(); tot = 0; n = 0
    with torch.no_grad():
        for b in held_batches:
            hidden = (model.bert if arch == 'bert' else model.roberta_prelayernorm)(input_ids=b['input_ids'], attention_mask=b['attention_mask']).last_hidden_state
            ch = b['labels'] != -100
            logits = model.cls(hidden[ch]) if arch == 'bert' else model.lm_head(hidden[ch])
            tot += torch.nn.functional.cross_entropy(logits, b['labels'][ch], reduction='sum').item(); n += ch.sum().item()
    model.train(); return math.exp(tot / n)
curve = []; t0 = time.time(); rng = random.Random(13)
for step in range(1, steps + 1):
    batch = col([{'input_ids': c} for c in rng.sample(train, B)])
    if arch == 'bert':
        out = model(**batch)
    else:
        out = model(**batch)
    out.loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step(); sched.step(); opt.zero_grad()
    if step % cfg.get('every', 100) == 0 or step == steps:
        ppl = evaluate(); curve.append((step, round(time.time() - t0), round(ppl, 1)))
        print(name, curve[-1], flush=True)
json.dump({'name': name, 'cfg': cfg, 'curve': curve}, open(ROOT / 'training' / 'curves' / f'{name}.json', 'w'))
