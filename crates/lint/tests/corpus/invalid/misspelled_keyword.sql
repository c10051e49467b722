create tabel app.t (id int);
