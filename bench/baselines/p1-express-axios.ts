/**
 * P1 — what a team would write by hand: Express 5 + express.raw({limit}) + axios with its
 * defaults + res.json(reduced).
 *   GET  /token    → fetch U's token, answer { sessionId, sessionToken, expiresAt }
 *   POST /liveness → forward the bytes, answer the reduced folder
 * Env: PORT, OZ_API_URL, MAX_CONTAINER_BYTES.
 */
import { randomUUID } from 'node:crypto';
import axios from 'axios';
import express from 'express';
import { reduceFolder, sessionAnswer } from './reduce';

const base = process.env.OZ_API_URL ?? 'http://127.0.0.1:8080';
const app = express();

app.get('/health', (_req, res) => {
  res.send('ok');
});

app.get('/token', async (_req, res) => {
  try {
    const { data } = await axios.get(`${base}/api/authorize/session_token`);
    res.status(201).json(sessionAnswer(data));
  } catch {
    res.status(502).json({ code: 'UPSTREAM_ERROR' });
  }
});

app.post(
  '/liveness',
  express.raw({ type: 'application/octet-stream', limit: Number(process.env.MAX_CONTAINER_BYTES ?? 20 * 1024 * 1024) }),
  async (req, res) => {
    try {
      const { data } = await axios.post(`${base}/api/instant/folders/`, req.body, {
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      res.status(201).json(reduceFolder(data, randomUUID()));
    } catch {
      res.status(502).json({ code: 'UPSTREAM_ERROR' });
    }
  },
);

app.listen(Number(process.env.PORT ?? 3003), '127.0.0.1');
